import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadDataset } from '../../../src/data/load.js';
import { sampleEpochTriples } from '../../../src/data/negatives.js';
import { createWeightedGcl, WeightedGclConfig } from '../../../src/models/base/weightedgcl.js';
import type { BaseModel, Batch } from '../../../src/models/types.js';
import * as F from '../../../src/tensor/fn.js';
import { scalarKernels } from '../../../src/tensor/kernels/scalar.js';
import { createTape, zeroGrads } from '../../../src/tensor/tape.js';
import { tripleBatches } from '../../../src/train/batches.js';
import { createRng } from '../../../src/util/rng.js';
import { baseModelContract, TINY } from '../../contracts/base-model.js';

baseModelContract('weightedgcl', { dim: 16, layers: 2 });

const R = { rows: 2, cols: 3, indptr: Int32Array.of(0, 2, 4), indices: Int32Array.of(0, 1, 1, 2) };
const model = (cfg: Partial<WeightedGclConfig>) =>
  createWeightedGcl(WeightedGclConfig.parse(cfg), { train: R, kernels: scalarKernels, rng: createRng(4) });
const ctx = { epoch: 1, step: 0, rng: createRng(9) };
const batch = { users: Int32Array.of(1, 0, 1), pos: Int32Array.of(2, 0, 1), neg: Int32Array.of(0, 2, 0) };

test('defaults follow WeightedGCL.yaml; SENet widths are d/16 and d/4', () => {
  assert.deepEqual(WeightedGclConfig.parse({}), { dim: 64, layers: 2, regWeight: 1e-4, clWeight: 1e-3, eps: 0.1, temperature: 0.2 });
  assert.deepEqual(model({}).params.map((p) => `${p.name}:${p.value.rows}x${p.value.cols}`), [
    'embedding:5x64', 'senet.0.weight:1x4', 'senet.0.bias:1x4', 'senet.1.weight:4x16', 'senet.1.bias:1x16',
    'senet.2.weight:16x64', 'senet.2.bias:1x64',
  ]);
});

test('the final embedding is the mean of layers 1..L, without the ego layer', () => {
  const m = model({ dim: 2, layers: 1 });
  const e0 = m.params[0].value.data;
  e0.set([1, 0, 0, 1, 1, 1, 2, 0, 0, 2]);
  // layer 1 only: u0 = Â[u0,i0]·i0 + Â[u0,i1]·i1 with degrees u0 2, i0 1, i1 2; i1 = Â[i1,u0]·u0 + Â[i1,u1]·u1
  const u0 = [1 / Math.sqrt(2) + 2 / 2, 1 / Math.sqrt(2)], i1 = [1 / 2, 1 / 2];
  const out = new Float32Array(6);
  m.freeze().scoreBatch(Int32Array.of(0, 1), out);
  assert.ok(Math.abs(out[1] - (u0[0] * i1[0] + u0[1] * i1[1])) < 1e-6, `${out[1]}`);
});

test('the regulariser is λ(‖u⁰‖ + ‖i⁰‖ + ‖j⁰‖)/|B| with Frobenius norms, not squares', () => {
  const m = model({ dim: 2, clWeight: 0, regWeight: 0.5 });
  m.params[0].value.data.set([1, 0, 0, 1, 1, 1, 2, 0, 0, 2]);
  const t = createTape(scalarKernels);
  const terms = m.loss(t, m.embed(t, ctx), batch, ctx);
  assert.deepEqual(Object.keys(terms), ['bpr', 'reg']);
  const want = (0.5 * (Math.sqrt(1 + 1 + 1) + Math.sqrt(4 + 2 + 4) + Math.sqrt(2 + 2 + 4))) / 3;
  assert.ok(Math.abs(t.scalar(terms.reg) - want) < 1e-6, `${t.scalar(terms.reg)} vs ${want}`);
});

test('without noise both views agree and CL is Σ_n −1/τ + log Σ_m exp(cos(ṽ_n, ṽ_m)/τ) over unique nodes', () => {
  const m = model({ dim: 4, eps: 0, clWeight: 1, regWeight: 0 });
  const t = createTape(scalarKernels);
  const e = m.embed(t, ctx);
  const cl = t.scalar(m.loss(t, e, batch, ctx).cl);
  // SENet by hand on the final rows.
  const [w1, b1, w2, b2, w3, b3] = m.params.slice(1).map((p) => p.value);
  const senet = (v: number[]): number[] => {
    let x = [v.reduce((s, a) => s + a, 0) / v.length];
    for (const [w, b] of [[w1, b1], [w2, b2], [w3, b3]]) {
      x = Array.from({ length: w.cols }, (_, j) => b.data[j] + x.reduce((s, xi, i) => s + xi * w.data[i * w.cols + j], 0));
    }
    return v.map((a, k) => a / (1 + Math.exp(-x[k])));
  };
  const rows = (node: number, idx: number[]) => idx.map((r) => Array.from(t.value(node).data.subarray(4 * r, 4 * r + 4)));
  const term = (vs: number[][]): number => {
    const n = vs.map((v) => { const s = Math.hypot(...v); return v.map((a) => a / s); });
    const cos = (a: number[], b: number[]) => a.reduce((s, x, k) => s + x * b[k], 0);
    return n.reduce((s, a) => s - 1 / 0.2 + Math.log(n.reduce((z, b) => z + Math.exp(cos(a, b) / 0.2), 0)), 0);
  };
  const want = term(rows(e.users!, [0, 1]).map(senet)) + term(rows(e.items!, [0, 1, 2]).map(senet));
  assert.ok(Math.abs(cl - want) < 1e-4 * Math.abs(want), `${cl} vs ${want}`);
});

test('noise makes the two views differ and draws from the step stream', () => {
  const m = model({ dim: 8 });
  const value = (seed: number) => {
    const t = createTape(scalarKernels);
    const c = { epoch: 1, step: 0, rng: createRng(seed) };
    return t.scalar(m.loss(t, m.embed(t, c), batch, c).cl);
  };
  assert.equal(value(1), value(1));
  assert.notEqual(value(1), value(2));
});

/** One training step's loss terms and parameter gradients (no update), with the step stream of `seed`. */
function stepOf(m: BaseModel, t: ReturnType<typeof createTape>, b: Batch, seed: number) {
  const c = { epoch: 1, step: 0, rng: createRng(seed) };
  t.reset();
  zeroGrads(m.params);
  const terms = m.loss(t, m.embed(t, c), b, c);
  t.backward(Object.values(terms).reduce((x, n) => F.add(t, x, n)));
  return { terms: Object.fromEntries(Object.entries(terms).map(([k, n]) => [k, t.scalar(n)])), grads: m.params.map((p) => p.grad.data.slice()) };
}

test('a step padded after a larger one has the loss and gradients of the unpadded step', async () => {
  const ds = await loadDataset(TINY, { texts: false });
  const batches = tripleBatches(sampleEpochTriples(ds.train, createRng(3)), 64);
  const small = { users: batches[0].users.subarray(0, 12), pos: batches[0].pos.subarray(0, 12), neg: batches[0].neg.subarray(0, 12) };
  const make = () => createWeightedGcl(WeightedGclConfig.parse({ dim: 16 }), { train: ds.train, kernels: scalarKernels, rng: createRng(4) });
  const padded = make(), plain = make(), t = createTape(scalarKernels);
  stepOf(padded, t, batches[1], 1); // grows the padded size past the small batch's unique counts
  const got = stepOf(padded, t, small, 8), want = stepOf(plain, createTape(scalarKernels), small, 8);
  assert.ok(want.terms.cl > 0);
  for (const k of ['bpr', 'reg', 'cl']) assert.ok(Math.abs(got.terms[k] - want.terms[k]) <= 1e-6 * Math.abs(want.terms[k]), `${k}: ${got.terms[k]} vs ${want.terms[k]}`);
  got.grads.forEach((g, i) => {
    const scale = want.grads[i].reduce((s, x) => Math.max(s, Math.abs(x)), 0);
    assert.ok(scale > 0, `${padded.params[i].name} has no gradient`);
    g.forEach((x, j) => assert.ok(Math.abs(x - want.grads[i][j]) <= 1e-6 * scale, `${padded.params[i].name}[${j}]: ${x} vs ${want.grads[i][j]}`));
  });
});

test('steps of varying unique counts reuse the tape buffers', async () => {
  const ds = await loadDataset(TINY, { texts: false });
  const batches = tripleBatches(sampleEpochTriples(ds.train, createRng(3)), 48).slice(0, 6);
  const counts = new Set(batches.map((b) => new Set(b.users).size));
  assert.ok(counts.size > 2, `unique user counts ${[...counts]}`);
  const m = createWeightedGcl(WeightedGclConfig.parse({ dim: 8 }), { train: ds.train, kernels: scalarKernels, rng: createRng(4) });
  const t = createTape(scalarKernels);
  batches.forEach((b, s) => stepOf(m, t, b, s)); // the padded size reaches its largest bucket
  const warm = t.freshAllocations;
  batches.forEach((b, s) => stepOf(m, t, b, s));
  assert.equal(t.freshAllocations - warm, 0);
});
