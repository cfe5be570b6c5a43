import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { planExperiment, runId } from '../../src/experiments/plan.js';
import { loadSpec, mergeOverrides, parseSpec } from '../../src/experiments/spec.js';
import { ConfigError, LmmrecError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const TINY = join(import.meta.dirname, '..', 'fixtures', 'tiny_amazon_book');
const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const tmp = tempDir('spec');

const valid = {
  name: 'x',
  datasets: [{ id: 'book', dir: 'tiny_amazon_book' }],
  base: { 'model.name': 'lightgcn' },
  arms: [{ name: 'a' }, { name: 'b', set: { plugins: ['rlmrec-con'], 'plugin.rlmrec-con.weight': 0.5 } }],
  baseline: 'a',
};

function specFile(name: string, yaml: string): string {
  const p = join(tmp, name);
  writeFileSync(p, yaml);
  return p;
}

test('spec errors name the file and the key', async () => {
  const p = specFile('bad-key.yaml', 'name: x\ndatasets: [{ id: d, dir: y }]\narms:\n  - name: a\n  - name: b\n    sett: {}\nbaseline: a\n');
  await assert.rejects(loadSpec(p), (e: unknown) => e instanceof ConfigError && e.message.includes(p) && /arms\[1\]: unknown key\(s\) "sett"/.test(e.message));
  const q = specFile('bad-ref.yaml', 'name: x\ndatasets: [{ id: d, dir: y, text: { semantic: { prepared: nope } } }]\narms: [{ name: a }]\nbaseline: z\n');
  await assert.rejects(loadSpec(q), (e: unknown) => e instanceof ConfigError && e.message.includes(q) &&
    /baseline: unknown arm "z"; arms: a/.test(e.message) && /datasets\[0\]\.text\.semantic\.prepared: no text-embed step named "nope"/.test(e.message));
  assert.throws(() => parseSpec({ ...valid, arms: [{ name: 'a' }, { name: 'a' }] }, 's.yaml'), /s\.yaml: invalid experiment spec\n {2}arms: arm "a" is listed twice/);
  assert.throws(() => parseSpec({ ...valid, seeds: [] }, 's.yaml'), /seeds:/);
  await assert.rejects(loadSpec(join(tmp, 'missing.yaml')), /missing\.yaml: cannot read experiment spec/);
});

test('dotted and nested overrides merge like --set', () => {
  assert.deepEqual(
    mergeOverrides({ train: { lr: 1, epochs: 3 } }, { 'train.lr': 2, plugin: { 'lmmrec.useMCS': false }, plugins: ['lmmrec'] }),
    { train: { lr: 2, epochs: 3 }, plugin: { lmmrec: { useMCS: false } }, plugins: ['lmmrec'] },
  );
});

test('the run matrix: dataset × noise × seed × arm, deterministic ids, overrides in order', () => {
  const spec = parseSpec({ ...valid, seeds: [7, 8], noise: [0, 0.05] }, 's.yaml');
  const plan = planExperiment(spec, { specPath: join(tmp, 's.yaml'), outDir: join(tmp, 'out'), dataRoots: [join(tmp, 'nowhere'), FIXTURES], set: ['train.lr=0.005'], maxEpochs: 9, threads: 1 });
  assert.equal(plan.runs.length, 2 * 2 * 2);
  assert.deepEqual(plan.runs.map((r) => r.id), [
    'book-n0-a-s7', 'book-n0-b-s7', 'book-n0-a-s8', 'book-n0-b-s8', 'book-n5-a-s7', 'book-n5-b-s7', 'book-n5-a-s8', 'book-n5-b-s8',
  ]);
  assert.equal(runId('d', null, 'lightgcn+lmmrec', 3), 'd-lightgcn+lmmrec-s3');
  const b = plan.runs[1].config!;
  assert.deepEqual([b.model.name, b.plugins, b.plugin['rlmrec-con'].weight, b.seed, b.train.lr, b.train.epochs, b.train.threads], ['lightgcn', ['rlmrec-con'], 0.5, 7, 0.005, 9, 1]);
  assert.equal(plan.dataDirs.book, TINY);
  assert.equal(plan.runs.every((r) => r.baseline === 'a'), true);
  assert.notEqual(plan.runs[4].config!.data.dir, TINY);
  const only = planExperiment(spec, { specPath: 's.yaml', outDir: join(tmp, 'out'), dataRoots: [FIXTURES], only: ['b'], seeds: [1] });
  assert.deepEqual(only.runs.map((r) => r.id), ['book-n0-b-s1', 'book-n5-b-s1']);
  const rates = planExperiment(spec, { specPath: 's.yaml', outDir: join(tmp, 'out'), dataRoots: [FIXTURES], rates: [0.05], seeds: [1] });
  assert.deepEqual(rates.runs.map((r) => r.id), ['book-n5-a-s1', 'book-n5-b-s1']);
  assert.throws(() => planExperiment(spec, { specPath: 's.yaml', outDir: tmp, dataRoots: [FIXTURES], rates: [0.1] }), (e: unknown) => e instanceof LmmrecError && e.code === 'USAGE' && /--rates 0\.1: .*rates: 0, 0\.05/.test(e.message));
  assert.throws(() => planExperiment(spec, { specPath: 's.yaml', outDir: tmp, dataRoots: [FIXTURES], only: ['c'] }), (e: unknown) => e instanceof LmmrecError && e.code === 'USAGE' && /arms: a, b/.test(e.message));
  assert.throws(() => planExperiment(spec, { specPath: 's.yaml', outDir: tmp, dataRoots: [tmp] }), /dataset "book": no folder "tiny_amazon_book"/);
  assert.throws(() => planExperiment(spec, { specPath: 's.yaml', outDir: tmp, dataRoots: [FIXTURES], set: ['seed=3'] }), /--set seed=3: seed is set per run/);
});

test('an arm with an unregistered plug-in or a bad key is invalid, naming the spec, dataset and arm', () => {
  const spec = parseSpec({
    ...valid,
    datasets: [{ id: 'book', dir: TINY }],
    arms: [{ name: 'a' }, { name: 'ghost', set: { plugins: ['no-such-plugin'] } }, { name: 'typo', set: { 'train.lrr': 1 } }],
  }, 's.yaml');
  const plan = planExperiment(spec, { specPath: 's.yaml', outDir: tmp, seeds: [1] });
  assert.equal(plan.runs[0].error, undefined);
  assert.match(plan.runs[1].error!, /s\.yaml: dataset "book", arm "ghost"[\s\S]*plugins\.0:.*rlmrec-con/);
  assert.match(plan.runs[2].error!, /arm "typo"[\s\S]*train: unknown key\(s\) "lrr"/);
});
