import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { Dataset } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/load.js';
import { evaluate } from '../../src/eval/full-ranking.js';
import type { BaseModel, Scorer } from '../../src/models/types.js';
import * as F from '../../src/tensor/fn.js';
import { scalarKernels } from '../../src/tensor/kernels/scalar.js';
import { readModelCheckpoint, readTrainState } from '../../src/train/checkpoint.js';
import type { TrainEvent } from '../../src/train/events.js';
import { keyParams, trainModel, type TrainLoopConfig, type TrainOptions } from '../../src/train/trainer.js';
import { LmmrecError } from '../../src/util/errors.js';
import { TINY, tinyModel } from '../contracts/base-model.js';
import { tempDir } from '../helpers/temp-dir.js';

let ds: Dataset;
let dir: string;
before(async () => {
  ds = await loadDataset(TINY, { texts: false });
  dir = tempDir('trainer');
});

const CONFIG: TrainLoopConfig = { epochs: 8, batchSize: 64, lr: 1e-2, earlyStop: { metric: 'recall@20', every: 2, patience: 2 } };
const lightgcn = (): Promise<BaseModel> => tinyModel(ds, 'lightgcn', { dim: 8, layers: 2 });
const validate = async (s: Scorer): Promise<Record<string, number>> => (await evaluate(s, { train: ds.train, targets: ds.valid })).mean;
const values = (m: BaseModel): Float32Array[] => m.params.map((p) => p.value.data.slice());

function options(model: BaseModel, extra: Partial<TrainOptions> = {}): TrainOptions {
  return { model, train: ds.train, config: CONFIG, seed: 2023, kernels: scalarKernels, validate, ...extra };
}

test('the same seed gives identical validation metrics, losses and parameters', async () => {
  const [a, b] = [await lightgcn(), await lightgcn()];
  const ra = await trainModel(options(a)), rb = await trainModel(options(b));
  assert.ok(ra.state.history.length >= 2);
  assert.deepEqual(rb.state.history.map((h) => h.metrics), ra.state.history.map((h) => h.metrics));
  assert.deepEqual(rb.state.losses.map((l) => l.loss), ra.state.losses.map((l) => l.loss));
  assert.deepEqual(values(b), values(a));
});

test('kill-and-resume gives bit-identical parameters, history and best checkpoint to a straight run', async () => {
  const cfg: TrainLoopConfig = { ...CONFIG, epochs: 7, earlyStop: { ...CONFIG.earlyStop, patience: 10 } };
  const straightDir = join(dir, 'straight'), resumedDir = join(dir, 'resumed');
  const straight = await lightgcn();
  const rs = await trainModel(options(straight, { config: cfg, checkpointDir: straightDir }));

  const controller = new AbortController();
  const killed = await lightgcn();
  await assert.rejects(
    trainModel(options(killed, {
      config: cfg, checkpointDir: resumedDir, signal: controller.signal,
      onProgress: (e) => { if (e.type === 'epoch' && e.epoch === 4) controller.abort(); },
    })),
    (e: unknown) => e instanceof LmmrecError && e.code === 'ABORTED' && /epoch 5/.test(e.message),
  );
  assert.equal(readTrainState(join(resumedDir, 'last.safetensors'), keyParams(await lightgcn())).state.epoch, 4);
  const fresh = await lightgcn(); // a new process: parameters come from the checkpoint, not from memory
  const rr = await trainModel(options(fresh, { config: cfg, checkpointDir: resumedDir, resume: true }));
  assert.equal(rr.resumedFrom, 4);
  assert.equal(rr.state.epoch, 7);
  assert.deepEqual(values(fresh), values(straight));
  assert.deepEqual(rr.state.history.map((h) => h.metrics), rs.state.history.map((h) => h.metrics));
  assert.deepEqual(rr.state.losses.map((l) => l.loss), rs.state.losses.map((l) => l.loss));
  const bs = readModelCheckpoint(join(straightDir, 'best.safetensors')), br = readModelCheckpoint(join(resumedDir, 'best.safetensors'));
  assert.deepEqual(br.tensors, bs.tensors);
  assert.equal(br.metadata.epoch, bs.metadata.epoch);
});

test('early stopping: patience validations without gain stop the run and restore the best parameters', async () => {
  const model = await lightgcn();
  let calls = 0;
  const snapshots: Float32Array[][] = [];
  const dropping = async (): Promise<Record<string, number>> => {
    snapshots.push(values(model));
    return { 'recall@20': 1 - calls++ * 0.1 };
  };
  const events: TrainEvent[] = [];
  const r = await trainModel(options(model, {
    validate: dropping, config: { ...CONFIG, epochs: 100, earlyStop: { metric: 'recall@20', every: 3, patience: 5 } },
    checkpointDir: join(dir, 'early'), onProgress: (e) => events.push(e),
  }));
  // RLMRec validates at epochs 1, 4, 7, …: the best is epoch 1, five misses end it after epoch 16.
  assert.deepEqual(r.state.history.map((h) => h.epoch), [1, 4, 7, 10, 13, 16]);
  assert.equal(r.state.epoch, 16);
  assert.equal(r.state.stopped, 'early-stop');
  assert.equal(r.state.bestEpoch, 1);
  assert.deepEqual(values(model), snapshots[0]);
  const best = readModelCheckpoint(join(dir, 'early', 'best.safetensors'));
  assert.deepEqual(best.tensors.embedding.data, snapshots[0][0]);
  const epochs = events.filter((e) => e.type === 'epoch');
  assert.equal(epochs.length, 16);
  assert.equal(epochs.at(-1)!.type === 'epoch' && epochs.at(-1)!.etaMs, 0);
  assert.ok(events.some((e) => e.type === 'step' && e.steps === Math.ceil(ds.train.indptr[ds.train.rows] / 64)));
});

test('a NaN loss term stops the run naming the epoch, step and term', async () => {
  const base = await lightgcn();
  const model: BaseModel = {
    ...base,
    loss: (t, e, b, ctx) => ({
      ...base.loss(t, e, b, ctx),
      ...(ctx.epoch === 2 && ctx.step === 1 ? { boom: F.scale(t, F.sumSquares(t, e.users!), Number.NaN) } : {}),
    }),
  };
  await assert.rejects(trainModel(options(model)), (e: unknown) =>
    e instanceof LmmrecError && e.code === 'NUMERIC' && /epoch 2, step 2: loss term "boom" is NaN/.test(e.message));
});

test('every step sees its index in the epoch and the epoch\'s step count (what lazy plug-in terms are scheduled by)', async () => {
  const base = await lightgcn(), seen: [number, number, number | undefined][] = [];
  const model: BaseModel = { ...base, loss: (t, e, b, ctx) => (seen.push([ctx.epoch, ctx.step, ctx.steps]), base.loss(t, e, b, ctx)) };
  await trainModel(options(model, { config: { ...CONFIG, epochs: 2 } }));
  const steps = Math.ceil(ds.train.indptr[ds.train.rows] / 64);
  assert.deepEqual(seen, [1, 2].flatMap((epoch) => Array.from({ length: steps }, (_, s) => [epoch, s, steps])));
});

test('an early-stopping metric the validation does not report is a config error listing the metrics', async () => {
  await assert.rejects(
    trainModel(options(await lightgcn(), { config: { ...CONFIG, earlyStop: { metric: 'recall@50', every: 1, patience: 1 } } })),
    (e: unknown) => e instanceof LmmrecError && e.code === 'CONFIG' && /recall@50.*recall@20/.test(e.message),
  );
});

test('resume without a checkpoint is a usage error; without checkpointDir nothing is written', async () => {
  await assert.rejects(trainModel(options(await lightgcn(), { checkpointDir: join(dir, 'none'), resume: true })), /cannot resume/);
  const r = await trainModel(options(await lightgcn(), { config: { ...CONFIG, epochs: 1 } }));
  assert.equal(r.state.epoch, 1);
  assert.equal(existsSync(join(dir, 'last.safetensors')), false);
});
