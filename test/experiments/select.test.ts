import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunResult } from '../../src/experiments/results.js';
import { validationPicks } from '../../src/experiments/select.js';
import { parseSpec } from '../../src/experiments/spec.js';
import type { RunMetrics } from '../../src/experiments/train-run.js';

const ARMS = ['w1', 'w0.1', 'w0.01'];

function spec(select: unknown): ReturnType<typeof parseSpec> {
  return parseSpec({ name: 's', datasets: [{ id: 'a', dir: 'x' }, { id: 'b', dir: 'y' }], arms: ARMS.map((name) => ({ name })), baseline: 'w1', select }, 's.yaml');
}

/** A finished run with validation recall@20 `valid` and a test recall@20 that would pick differently. */
function done(dataset: string, arm: string, seed: number, valid: number, noise: number | null = null): RunResult {
  const metrics = { valid: { 'recall@20': valid }, test: { 'recall@20': 1 - valid } } as unknown as RunMetrics;
  return { run: { id: `${dataset}-${arm}-s${seed}`, dataset, noise, arm, seed, baseline: 'w1', runDir: '' }, status: 'done', metrics, curve: [], epoch: 1 };
}

/** A run that was asked for and has not finished. */
function pending(dataset: string, arm: string, seed: number): RunResult {
  return { run: { id: `${dataset}-${arm}-s${seed}`, dataset, noise: null, arm, seed, baseline: 'w1', runDir: '' }, status: 'partial', curve: [], epoch: 3 };
}

const near = (got: readonly (number | undefined)[], want: (number | undefined)[]) =>
  assert.ok(got.length === want.length && got.every((v, i) => (v === undefined ? want[i] === undefined : Math.abs(v - want[i]!) < 1e-12)), `${got} vs ${want}`);

test('validation picks: mean over seeds, then over the datasets where every candidate run finished; ties go to the first listed', () => {
  const s = spec([{ name: 'weight', from: ARMS }]);
  const results = [
    // a: w1 (.10 + .14) / 2 = .12, w0.1 .13, w0.01 .12; b: w1 .20, w0.1 .17
    done('a', 'w1', 1, 0.1), done('a', 'w1', 2, 0.14), done('a', 'w0.1', 1, 0.13), done('a', 'w0.01', 1, 0.12),
    done('b', 'w1', 1, 0.2), done('b', 'w0.1', 1, 0.17),
    // a noisy copy is not validation data of the clean split
    done('b', 'w0.01', 1, 0.9, 0.1),
  ];
  // w0.01 was never run on clean b (a weight pruned there): b counts, w0.01 is not eligible; w1 (.12 + .20) / 2 = .16
  // beats w0.1 (.13 + .17) / 2 = .15
  let [sel] = validationPicks(s, results, 'recall@20');
  assert.deepEqual(sel.used, ['a', 'b']);
  [[0.12, 0.2], [0.13, 0.17], [0.12, undefined]].forEach((want, i) => near(sel.candidates[i].byDataset, want));
  near(sel.candidates.map((c) => c.mean), [0.16, 0.15, undefined]);
  assert.equal(sel.picked, 'w1');
  // w0.01 running on b: b waits, the means use a alone, where w0.1 leads
  [sel] = validationPicks(s, [...results, pending('b', 'w0.01', 1)], 'recall@20');
  assert.deepEqual(sel.used, ['a']);
  near(sel.candidates.map((c) => c.mean), [0.12, 0.13, 0.12]);
  assert.equal(sel.picked, 'w0.1');
  // w0.01 finished on b at .20: w1 and w0.01 tie at .16, and w1 is listed first
  [sel] = validationPicks(s, [...results, done('b', 'w0.01', 1, 0.2)], 'recall@20');
  assert.deepEqual(sel.used, ['a', 'b']);
  near(sel.candidates.map((c) => c.mean), [0.16, 0.15, 0.16]);
  assert.equal(sel.picked, 'w1');
  // an unfinished seed holds its dataset back too; nothing counted: no pick
  [sel] = validationPicks(s, [done('a', 'w1', 1, 0.3), pending('a', 'w0.1', 1), done('b', 'w0.1', 1, 0.3), pending('b', 'w1', 2)], 'recall@20');
  assert.deepEqual([sel.used, sel.picked], [[], undefined]);
});

test('select names must be distinct and refer to arms of the spec', () => {
  assert.throws(() => spec([{ name: 'w', from: ['w1', 'zz'] }]), /select\[0\]\.from\[1\]: unknown arm "zz"/);
  assert.throws(() => spec([{ name: 'w', from: ['w1', 'w0.1'] }, { name: 'w', from: ['w1', 'w0.01'] }]), /selection "w" is listed twice/);
  assert.throws(() => spec([{ name: 'w', from: ['w1'] }]), /select\[0\]\.from/);
});
