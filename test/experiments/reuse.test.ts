import assert from 'node:assert/strict';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { planExperiment } from '../../src/experiments/plan.js';
import { REUSED_FILE } from '../../src/experiments/reuse.js';
import { runExperiment } from '../../src/experiments/runner.js';
import { parseSpec } from '../../src/experiments/spec.js';
import { tempDir } from '../helpers/temp-dir.js';

const TINY = join(import.meta.dirname, '..', 'fixtures', 'tiny_amazon_book');
const tmp = tempDir('exp-reuse');

const spec = (name: string, arms: { name: string; set?: Record<string, unknown> }[], extra: Record<string, unknown> = {}, dim = 6, text: Record<string, unknown> = {}) => parseSpec({
  name,
  datasets: [{
    id: 'book', dir: TINY,
    prepare: [{ step: 'text-embed', name: 'profiles', source: 'profiles', dim }, { step: 'text-embed', name: 'small', source: 'profiles', dim: 3 }],
    text: { semantic: { prepared: 'profiles', matrix: 'S' }, ...text },
  }],
  base: { 'model.name': 'lightgcn', 'model.dim': 4, train: { epochs: 2, batchSize: 128, threads: 1, earlyStop: { every: 1 } } },
  arms,
  seeds: [1],
  baseline: arms[0].name,
  ...extra,
}, `${name}.yaml`);

const run = (s: ReturnType<typeof spec>, out: string, reuse?: string[]) =>
  runExperiment(planExperiment(s, { specPath: `${s.name}.yaml`, outDir: join(tmp, out) }), { reuse });
const metrics = (out: string, id: string): unknown => JSON.parse(readFileSync(join(tmp, out, 'runs', id, 'metrics.json'), 'utf8'));

const CON = { plugins: ['rlmrec-con'] };

test('a run finished in another experiment with the same config, data and text is copied, not trained', async () => {
  const first = await run(spec('first', [{ name: 'lightgcn' }, { name: 'con', set: CON }]), 'first');
  assert.deepEqual(first.trained, ['book-lightgcn-s1', 'book-con-s1']);

  const other = spec('other', [{ name: 'bare' }, { name: 'con2', set: CON }, { name: 'con-half', set: { ...CON, 'plugin.rlmrec-con.weight': 0.5 } }]);
  const res = await run(other, 'other', [join(tmp, 'first')]);
  assert.deepEqual(res.reused, ['book-bare-s1', 'book-con2-s1']);
  assert.deepEqual(res.trained, ['book-con-half-s1'], 'another plug-in setting is another run');
  assert.deepEqual(metrics('other', 'book-bare-s1'), metrics('first', 'book-lightgcn-s1'));
  assert.deepEqual(metrics('other', 'book-con2-s1'), metrics('first', 'book-con-s1'));
  const from = JSON.parse(readFileSync(join(tmp, 'other', 'runs', 'book-con2-s1', REUSED_FILE), 'utf8')).from;
  assert.equal(from, join(tmp, 'first', 'runs', 'book-con-s1'));
  const config = JSON.parse(readFileSync(join(tmp, 'other', 'runs', 'book-con2-s1', 'config.json'), 'utf8'));
  assert.match(config.text.semantic.file, /\/other\/text\//, 'the copied run names this experiment\'s text');
  const report = readFileSync(join(tmp, 'other', 'report.md'), 'utf8');
  assert.match(report, /\| book-con2-s1 \| done \([\w-]+; reused from \.\.\/first\/runs\/book-con-s1\)/);
  assert.match(report, /\n- compute: .+ of one process for the 1 run trained here; 2 runs reused from other experiments \(.+ when they were trained\)\n/);

  const again = await run(other, 'other', [join(tmp, 'first')]);
  assert.deepEqual([again.trained, again.reused, again.skipped.length], [[], [], 3], 'copied runs are finished runs now');
});

test('other text bytes or other data bytes are not the same run', async () => {
  const arms = [{ name: 'lightgcn' }, { name: 'con', set: CON }];
  const otherText = await run(spec('dim5', arms, {}, 5), 'dim5', [join(tmp, 'first')]);
  assert.deepEqual([otherText.reused, otherText.trained], [['book-lightgcn-s1'], ['book-con-s1']], 'the bare run reads no text');

  const motivation = await run(spec('motivation', arms, {}, 6, { motivation: { prepared: 'small', matrix: 'S' } }), 'motivation', [join(tmp, 'first')]);
  assert.deepEqual(motivation.reused, ['book-lightgcn-s1', 'book-con-s1'], 'RLMRec-Con does not read text.motivation');

  const noisy = await run(spec('noisy', arms, { noise: [0.1] }), 'noisy', [join(tmp, 'first')]);
  assert.deepEqual(noisy.reused, [], 'a noisy copy has other train bytes');
});

test('a source run whose text cannot be checked is not used', async () => {
  const src = join(tmp, 'first', 'runs', 'book-con-s1');
  const manifest = JSON.parse(readFileSync(join(src, 'manifest.json'), 'utf8'));
  assert.match(manifest.text['text.semantic'], /^[0-9a-f]{64}$/, 'runs with plug-ins record their text hashes');
  delete manifest.text;
  writeFileSync(join(src, 'manifest.json'), JSON.stringify(manifest));
  const textFile = JSON.parse(readFileSync(join(src, 'config.json'), 'utf8')).text.semantic.file;
  const arms = [{ name: 'lightgcn' }, { name: 'con', set: CON }];
  const withFile = await run(spec('old-manifest', arms), 'old-manifest', [join(tmp, 'first')]);
  assert.deepEqual(withFile.reused, ['book-lightgcn-s1', 'book-con-s1'], 'without recorded hashes the file it names is hashed');
  renameSync(textFile, `${textFile}.gone`);
  const gone = await run(spec('text-gone', arms), 'text-gone', [join(tmp, 'first')]);
  assert.deepEqual([gone.reused, gone.trained], [['book-lightgcn-s1'], ['book-con-s1']]);
});
