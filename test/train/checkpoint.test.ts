import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { createParam } from '../../src/tensor/tape.js';
import {
  loadParams, readModelCheckpoint, readTrainState, type TrainerState, writeModelCheckpoint, writeTrainState,
} from '../../src/train/checkpoint.js';
import { writeSafetensors } from '../../src/train/safetensors.js';
import { DataError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('ckpt');

function params() {
  const a = createParam('a', 2, 3), b = createParam('b', 1, 2);
  a.value.data.set([1, 2, 3, 4, 5, 6]);
  b.value.data.set([-1, 0.5]);
  return [{ key: 'a', param: a }, { key: 'plug/b', param: b }];
}

const STATE: TrainerState = {
  epoch: 4, bestEpoch: 1, bestValue: 0.25, bestMetrics: { 'recall@20': 0.25 }, badEvals: 1,
  history: [{ epoch: 1, metrics: { 'recall@20': 0.25 }, evalMs: 3 }], losses: [{ epoch: 1, loss: { bpr: 0.6 }, ms: 10 }],
  elapsedMs: 99, stopped: null,
};

test('training state round-trips: parameters, Adam moments and step, best snapshot, trainer JSON', () => {
  const ps = params(), path = join(dir, 'last.safetensors');
  const m = [Float32Array.of(1, 1, 1, 1, 1, 1), Float32Array.of(2, 2)];
  const v = [Float32Array.of(3, 3, 3, 3, 3, 3), Float32Array.of(4, 4)];
  const best = [Float32Array.of(6, 5, 4, 3, 2, 1), Float32Array.of(9, 9)];
  writeTrainState(path, ps, { state: STATE, adam: { step: 17, m, v }, best }, { model: 'x' });
  const copy = params();
  copy[0].param.value.data.fill(0);
  const r = readTrainState(path, copy);
  assert.deepEqual(copy[0].param.value.data, ps[0].param.value.data);
  assert.equal(r.adam.step, 17);
  assert.deepEqual(r.adam.m, m);
  assert.deepEqual(r.adam.v, v);
  assert.deepEqual(r.best, best);
  assert.deepEqual(r.state, STATE);
  assert.equal(r.metadata.model, 'x');
});

test('a model checkpoint is a plain state dict with metadata; shapes and keys are checked', () => {
  const ps = params(), path = join(dir, 'best.safetensors');
  writeModelCheckpoint(path, ps, { model: 'lightgcn', epoch: '3' });
  const { tensors, metadata } = readModelCheckpoint(path);
  assert.deepEqual(Object.keys(tensors).sort(), ['a', 'plug/b']);
  assert.deepEqual(tensors.a.shape, [2, 3]);
  assert.equal(metadata.format, 'lmmrec-model/1');
  const wrong = [{ key: 'a', param: createParam('a', 3, 2) }];
  assert.throws(() => loadParams(path, tensors, wrong), (e: unknown) => e instanceof DataError && /field "a": shape \[2,3\]/.test(e.message));
  assert.throws(() => loadParams(path, tensors, [{ key: 'c', param: createParam('c', 1, 1) }]), /field "c": tensor is missing; stored: a/);
  assert.throws(() => readTrainState(path, ps), /not a training state/);
});

test('a file that is not an lmmrec checkpoint is rejected by name', () => {
  const path = join(dir, 'other.safetensors');
  writeSafetensors(path, { w: { shape: [1], data: Float32Array.of(1) } });
  assert.throws(() => readModelCheckpoint(path), (e: unknown) => e instanceof DataError && e.message.startsWith(path));
});
