import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { evalCheckpoint } from '../../src/experiments/eval-checkpoint.js';
import { resolveTrainRunConfig, resumeTrainRun, trainRun, type TrainRunEvent } from '../../src/experiments/train-run.js';
import { LmmrecError } from '../../src/util/errors.js';
import { TINY } from '../contracts/base-model.js';
import { tempDir } from '../helpers/temp-dir.js';

const out = tempDir('run');

const config = () => resolveTrainRunConfig({
  set: ['model.name=lightgcn', 'model.dim=8', `data.dir=${JSON.stringify(TINY)}`, 'train.epochs=5', 'train.batchSize=128', 'train.earlyStop.every=2'],
});

test('config.json records the data folder as an absolute path, so a resume from another directory finds it', async () => {
  const rel = relative(process.cwd(), TINY);
  assert.ok(!isAbsolute(rel));
  const cfg = resolveTrainRunConfig({ set: ['model.name=mf', 'model.dim=4', `data.dir=${JSON.stringify(rel)}`, 'train.epochs=1', 'train.batchSize=256'] });
  const r = await trainRun({ config: cfg, outDir: out });
  const saved = JSON.parse(readFileSync(join(r.runDir, 'config.json'), 'utf8'));
  assert.equal(saved.data.dir, resolve(TINY));
  assert.ok(isAbsolute(saved.workspace));
});

test('a run directory holds config, manifest with data hashes, log, checkpoints, metrics and per-user results', async () => {
  const r = await trainRun({ config: config(), outDir: out });
  for (const f of ['config.json', 'manifest.json', 'log.jsonl', 'metrics.json', 'test-per-user.tsv.gz', 'checkpoints/best.safetensors', 'checkpoints/last.safetensors']) {
    assert.ok(existsSync(join(r.runDir, f)), f);
  }
  const manifest = JSON.parse(readFileSync(join(r.runDir, 'manifest.json'), 'utf8'));
  assert.match(manifest.dataset.files['train.tsv'], /^[0-9a-f]{64}$/);
  assert.equal(manifest.seed, 2023);
  assert.deepEqual(JSON.parse(readFileSync(join(r.runDir, 'config.json'), 'utf8')), r.config);
  const metrics = JSON.parse(readFileSync(join(r.runDir, 'metrics.json'), 'utf8'));
  assert.equal(metrics.epochs, 5);
  assert.equal(metrics.testUsers, 40);
  assert.deepEqual(metrics.history.map((h: { epoch: number }) => h.epoch), [1, 3, 5]);
  assert.ok(metrics.test['recall@20'] >= 0 && metrics.test['ndcg@20'] >= 0);
  const log = readFileSync(join(r.runDir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).type);
  assert.equal(log.filter((t) => t === 'epoch').length, 5);
  assert.equal(log.at(-1), 'test');

  const again = await evalCheckpoint({ checkpoint: join(r.runDir, 'checkpoints', 'best.safetensors'), dataDir: TINY, threads: 1 });
  assert.deepEqual(again.result.mean, metrics.test);
  assert.equal(again.epoch, metrics.bestEpoch);
});

test('an aborted run resumes in its directory to the same test metrics as an uninterrupted one', async () => {
  const straight = await trainRun({ config: config(), outDir: join(out, 'a') });
  const controller = new AbortController();
  await assert.rejects(trainRun({
    config: config(), outDir: join(out, 'b'), signal: controller.signal,
    onProgress: (e: TrainRunEvent) => { if (e.type === 'epoch' && e.epoch === 2) controller.abort(); },
  }), (e: unknown) => e instanceof LmmrecError && e.code === 'ABORTED');
  const runDir = join(out, 'b', readdirSync(join(out, 'b'))[0]);
  assert.equal(existsSync(join(runDir, 'metrics.json')), false);
  const resumed = await resumeTrainRun(runDir);
  assert.deepEqual(resumed.metrics.test, straight.metrics.test);
  assert.deepEqual(resumed.metrics.history, straight.metrics.history);
});
