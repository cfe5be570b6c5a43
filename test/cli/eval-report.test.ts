import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { test } from 'node:test';
import { readPerUserTsv, writePerUserTsv } from '../../src/eval/per-user.js';
import type { PerUserMetrics } from '../../src/eval/full-ranking.js';
import { tempDir } from '../helpers/temp-dir.js';

const FIXTURE = resolve(import.meta.dirname, '..', 'fixtures', 'tiny_amazon_book');
const dir = tempDir('cli-eval');

const run = (args: string[]): Promise<string> => runCli(args);

test('eval popularity writes metrics.json and per-user TSV; eval compare reports both tests', async () => {
  const text = await run(['eval', 'popularity', FIXTURE, '--out', dir]);
  assert.match(text, /^protocol rlmrec: 40 users × 468 items/);
  const summary = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
  assert.equal(summary.protocol.name, 'rlmrec');
  assert.equal(summary.numUsers, 40);
  assert.equal(summary.split, 'test');
  const a = await readPerUserTsv(join(dir, 'test-per-user.tsv'));
  assert.equal(a.users.length, 40);
  assert.ok(Math.abs(a['recall@20'].reduce((s, x) => s + x, 0) / 40 - summary.mean['recall@20']) < 1e-15);

  // run B: recall@20 raised by 0.01-0.03 for every user, so every A - B is negative: W+ = 0, t-test p tiny
  const b = { ...a, 'recall@20': a['recall@20'].map((x, i) => x + 0.01 * (1 + (i % 3))) } as PerUserMetrics;
  await writePerUserTsv(join(dir, 'b.tsv'), b);
  const cmp = JSON.parse(await run(['eval', 'compare', join(dir, 'test-per-user.tsv'), join(dir, 'b.tsv'), '--metric', 'recall@20', '--json']));
  assert.equal(cmp.length, 1);
  assert.equal(cmp[0].n, 40);
  assert.ok(cmp[0].tTest.meanDiff < 0);
  assert.ok(cmp[0].tTest.p < 1e-10);
  assert.equal(cmp[0].wilcoxon.method, 'normal');
  assert.equal(cmp[0].wilcoxon.wPlus, 0);
  const table = await run(['eval', 'compare', join(dir, 'test-per-user.tsv'), join(dir, 'b.tsv')]);
  assert.equal(table.split('\n').length, 3); // header + recall@20 + ndcg@20
  assert.match(table.split('\n')[2], /^ndcg@20\s+40\s/);
});

test('eval compare: different user sets and bad options are usage errors', async () => {
  const a = await readPerUserTsv(join(dir, 'test-per-user.tsv'));
  const fewer = { users: a.users.subarray(1), 'recall@20': a['recall@20'].subarray(1) } as PerUserMetrics;
  await writePerUserTsv(join(dir, 'fewer.tsv'), fewer);
  await assert.rejects(run(['eval', 'compare', join(dir, 'test-per-user.tsv'), join(dir, 'fewer.tsv'), '--metric', 'recall@20']), {
    code: 'USAGE',
    message: /different user counts \(40 vs 39\)/,
  });
  await assert.rejects(run(['eval', 'popularity', FIXTURE, '--split', 'train']), /--split must be test or valid/);
});
