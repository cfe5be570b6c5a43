import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { parseColumnMap, parseKcore } from '../../src/cli/data-prep.js';
import { ManifestSchema } from '../../src/data/preprocess/manifest.js';
import { ConfigError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const FIX = join(import.meta.dirname, '..', 'fixtures');

async function run(args: string[]): Promise<string[]> {
  const out = await runCli(['data', ...args]);
  return out === '' ? [] : out.split('\n');
}

const manifestOf = (dir: string) => ManifestSchema.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));

test('option parsers', () => {
  assert.deepEqual(parseColumnMap('user=uid, item=iid,time=ts'), { user: 'uid', item: 'iid', time: 'ts' });
  assert.throws(() => parseColumnMap('user=a,who=b'), /slots/);
  assert.throws(() => parseColumnMap('user=a,user=b'), /twice/);
  assert.deepEqual(parseKcore('5'), { user: 5, item: 5 });
  assert.deepEqual(parseKcore('5,10'), { user: 5, item: 10 });
  assert.throws(() => parseKcore('5,x'), /non-negative/);
});

test('data split: reviews.jsonl with the default mapping, loo', async () => {
  const out = join(tempDir('cli'), 'beauty');
  const logged = await run(['split', join(FIX, 'tiny_beauty', 'reviews.jsonl'), '--format', 'jsonl', '--out', out, '--split', 'loo']);
  const m = manifestOf(out);
  assert.deepEqual(m.output, { users: 30, items: 17, train: 82, valid: 30, test: 30 });
  assert.deepEqual(m.steps.map((s) => s.name), ['dedup', 'densify', 'split']);
  assert.match(logged[logged.length - 1], /train\/valid\/test 82\/30\/30/);
  assert.equal(readFileSync(join(out, 'test.tsv'), 'utf8').trim().split('\n').length, 30);
});

test('data split: csv with a mapping, rating filter, k-core and a 3:1:1 ratio split', async () => {
  const dir = tempDir('cli');
  const lines = ['uid,iid,stars,ts'];
  for (let u = 0; u < 12; u++) for (let i = 0; i < 8; i++) if ((u + i) % 3 !== 0) lines.push(`U${u},I${i},${1 + ((u * i) % 5)},${u * 100 + i}`);
  writeFileSync(join(dir, 'in.csv'), `${lines.join('\n')}\n`);
  const out = join(dir, 'out');
  await run(['split', join(dir, 'in.csv'), '--format', 'csv', '--map', 'user=uid,item=iid,rating=stars,time=ts', '--min-rating', '2', '--kcore', '3', '--split', 'ratio:3,1,1', '--seed', '9', '--out', out]);
  const m = manifestOf(out);
  assert.deepEqual(m.steps.map((s) => s.name), ['rating-filter', 'dedup', 'kcore', 'densify', 'split']);
  assert.equal(m.seed, 9);
  assert.equal(m.steps[0].in.interactions, lines.length - 1);
  assert.equal(m.output.train + m.output.valid + m.output.test, m.steps[2].out.interactions);
  assert.deepEqual(m.steps[4].params, { kind: 'ratio', ratios: [0.6, 0.2, 0.2] });
});

test('data split: RecBole .inter with the default field names', async () => {
  const dir = tempDir('cli');
  const rows = ['user_id:token\titem_id:token\trating:float\ttimestamp:float'];
  for (let u = 0; u < 5; u++) for (let i = 0; i < 4; i++) rows.push(`u${u}\ti${i}\t4\t${10 * u + i}`);
  writeFileSync(join(dir, 'x.inter'), `${rows.join('\n')}\n`);
  await run(['split', join(dir, 'x.inter'), '--format', 'recbole', '--split', 'temporal:0.5,0.25,0.25', '--out', join(dir, 'out')]);
  assert.deepEqual(manifestOf(join(dir, 'out')).output, { users: 5, items: 4, train: 10, valid: 5, test: 5 });
  assert.equal(readFileSync(join(dir, 'out', 'test.tsv'), 'utf8'), '0\t3\n1\t3\n2\t3\n3\t3\n4\t3\n');
});

test('data split: csv without --map is a ConfigError', async () => {
  await assert.rejects(run(['split', 'x.csv', '--format', 'csv', '--out', 'nowhere']), ConfigError);
});

test('data noise writes a noisy copy', async () => {
  const out = join(tempDir('cli'), 'noisy');
  const logged = await run(['noise', join(FIX, 'tiny_amazon_book'), '--ratio', '0.2', '--seed', '3', '--out', out]);
  assert.match(logged[0], /added 61 noisy train pairs/);
  assert.equal(manifestOf(out).output.train, 306 + 61);
});
