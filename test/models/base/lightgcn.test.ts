import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLightGcn, LightGcnConfig, LightGcnPaperConfig } from '../../../src/models/base/lightgcn.js';
import * as F from '../../../src/tensor/fn.js';
import { scalarKernels } from '../../../src/tensor/kernels/scalar.js';
import { createTape } from '../../../src/tensor/tape.js';
import { createRng } from '../../../src/util/rng.js';
import { baseModelContract } from '../../contracts/base-model.js';

baseModelContract('lightgcn', { layers: 2, dim: 8 });
baseModelContract('lightgcn-paper', { layers: 2, dim: 8 });

/** 2 users × 3 items: u0–i0, u0–i1, u1–i1, u1–i2. */
const R = { rows: 2, cols: 3, indptr: Int32Array.of(0, 2, 4), indices: Int32Array.of(0, 1, 1, 2) };

function model(cfg: Partial<LightGcnConfig>) {
  return createLightGcn(LightGcnConfig.parse(cfg), { train: R, kernels: scalarKernels, rng: createRng(1) });
}

test('defaults are the RLMRec variant and the paper variant', () => {
  assert.deepEqual(LightGcnConfig.parse({}), { dim: 32, layers: 3, combine: 'sum', keepRate: 0.8, regWeight: 1e-6, regScope: 'all-params' });
  assert.deepEqual(LightGcnPaperConfig.parse({}), { dim: 64, layers: 3, combine: 'mean', keepRate: 1, regWeight: 1e-4, regScope: 'batch-ego' });
  assert.throws(() => LightGcnConfig.parse({ dims: 3 }), /dims/);
});

test('Xavier-uniform init per block: users within sqrt(6/(U+d)), items within sqrt(6/(I+d))', () => {
  const m = model({ dim: 4 });
  const e = m.params[0].value.data;
  const bu = Math.sqrt(6 / (2 + 4)), bi = Math.sqrt(6 / (3 + 4));
  assert.ok(e.subarray(0, 8).every((x) => Math.abs(x) <= bu));
  assert.ok(e.subarray(8).every((x) => Math.abs(x) <= bi));
  assert.ok(e.subarray(8).some((x) => Math.abs(x) > bu * 0.2));
});

test('frozen scores are sums over layers of Â^l E0, by hand', () => {
  const m = model({ dim: 2, layers: 1, keepRate: 1 });
  const e0 = m.params[0].value.data;
  e0.set([1, 0, 0, 1, 1, 1, 2, 0, 0, 2]); // u0, u1, i0, i1, i2
  // degrees: u0 2, u1 2, i0 1, i1 2, i2 1; Â entries 1/sqrt(du·di)
  const s = (a: number, b: number) => 1 / Math.sqrt(a * b);
  const row = (i: number) => [e0[2 * i], e0[2 * i + 1]];
  const addv = (a: number[], b: number[], w = 1) => a.map((x, k) => x + w * b[k]);
  const u0 = addv(addv(row(0), row(2), s(2, 1)), row(3), s(2, 2));
  const i2 = addv(row(4), row(1), s(1, 2));
  const out = new Float32Array(2 * 3);
  m.freeze().scoreBatch(Int32Array.of(0, 1), out);
  assert.ok(Math.abs(out[2] - (u0[0] * i2[0] + u0[1] * i2[1])) < 1e-6, `${out[2]}`);
});

test('edge dropout changes the training forward but not the frozen scores; keep 1 matches freeze', () => {
  const withDrop = model({ dim: 3, keepRate: 0.5 });
  const t = createTape(scalarKernels);
  const e1 = withDrop.embed(t, { epoch: 1, step: 0, rng: createRng(1) });
  const u1 = t.value(e1.users!).data.slice();
  const e2 = withDrop.embed(t, { epoch: 1, step: 1, rng: createRng(2) });
  assert.notDeepEqual(t.value(e2.users!).data.slice(), u1);
  const noDrop = model({ dim: 3, keepRate: 1 });
  const t2 = createTape(scalarKernels);
  const e = noDrop.embed(t2, { epoch: 1, step: 0, rng: createRng(1) });
  const out = new Float32Array(2 * 3);
  noDrop.freeze().scoreBatch(Int32Array.of(0, 1), out);
  const gram = F.matmul(t2, e.users!, e.items!, false, true);
  assert.deepEqual(Array.from(t2.value(gram).data), Array.from(out));
});

test('all-params L2 is λΣθ² over the whole table; batch-ego L2 is λ·½Σ‖batch ego rows‖²/|B|', () => {
  const batch = { users: Int32Array.of(0, 0), pos: Int32Array.of(0, 1), neg: Int32Array.of(2, 2) };
  const all = model({ dim: 2, regWeight: 0.5 });
  const t = createTape(scalarKernels);
  const ctx = { epoch: 1, step: 0, rng: createRng(3) };
  const terms = all.loss(t, all.embed(t, ctx), batch, ctx);
  const ss = all.params[0].value.data.reduce((s, x) => s + x * x, 0);
  assert.ok(Math.abs(t.scalar(terms.reg) - 0.5 * ss) < 1e-6);
  const ego = model({ dim: 2, regWeight: 0.5, regScope: 'batch-ego' });
  const t2 = createTape(scalarKernels);
  const terms2 = ego.loss(t2, ego.embed(t2, ctx), batch, ctx);
  const e = ego.params[0].value.data;
  const sq = (r: number) => e[2 * r] ** 2 + e[2 * r + 1] ** 2;
  const want = (0.5 * 0.5 * (2 * sq(0) + sq(2) + sq(3) + 2 * sq(4))) / 2;
  assert.ok(Math.abs(t2.scalar(terms2.reg) - want) < 1e-6, `${t2.scalar(terms2.reg)} vs ${want}`);
});
