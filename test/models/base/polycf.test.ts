import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPolyCf, holdOut, PolyCfConfig } from '../../../src/models/base/polycf.js';
import { createBasisWork, pairFeatures, scoreSignals } from '../../../src/models/base/polycf-basis.js';
import { buildGramFilters, buildLowPass } from '../../../src/models/base/polycf-filter.js';
import { scalarKernels } from '../../../src/tensor/kernels/scalar.js';
import { createTape } from '../../../src/tensor/tape.js';
import { createRng } from '../../../src/util/rng.js';
import { baseModelContract } from '../../contracts/base-model.js';

baseModelContract('polycf', { order: 2, lowPassRank: 8, usersPerBatch: 16 });

/** 4 users × 5 items, every item and user with ≥ 1 interaction. */
const R = {
  rows: 4, cols: 5,
  indptr: Int32Array.of(0, 2, 5, 7, 9),
  indices: Int32Array.of(0, 1, 1, 2, 3, 0, 4, 2, 4),
};
const dense = (): number[][] => {
  const m = Array.from({ length: 4 }, () => new Array(5).fill(0));
  for (let u = 0; u < 4; u++) for (let e = R.indptr[u]; e < R.indptr[u + 1]; e++) m[u][R.indices[e]] = 1;
  return m;
};
const matmul = (a: number[][], b: number[][]) => a.map((r) => b[0].map((_, j) => r.reduce((s, x, k) => s + x * b[k][j], 0)));
const T = (m: number[][]) => m[0].map((_, j) => m.map((r) => r[j]));
const close = (a: number, b: number, tol = 1e-4) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

/** Dense x = 2P/λ − I and T_1..T_K(x) for γ. */
function denseChebyshev(gamma: number, lambda: number, order: number): number[][][] {
  const r = dense();
  const du = r.map((row) => row.reduce((s, x) => s + x, 0)), di = T(r).map((c) => c.reduce((s, x) => s + x, 0));
  const rt = r.map((row, u) => row.map((x, i) => x * du[u] ** -gamma * di[i] ** -(1 - gamma)));
  const p = matmul(T(rt), rt);
  const x = p.map((row, i) => row.map((v, j) => (2 * v) / lambda - (i === j ? 1 : 0)));
  const eye: number[][] = x.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
  const out = [x];
  let prev = eye, cur = x;
  for (let o = 2; o <= order; o++) {
    const next = matmul(x, cur).map((row, i) => row.map((v, j) => 2 * v - prev[i][j]));
    out.push(next);
    [prev, cur] = [cur, next];
  }
  return out;
}

test('Chebyshev terms match dense T_k(2P_γ/λ − I), λ = σ_max(R̃_γ)²', async () => {
  const filters = await buildGramFilters(R, [0.3, 0.5], createRng(1));
  assert.ok(close(filters[1].lambdaMax, 1, 1e-5), `${filters[1].lambdaMax}`); // the symmetric normalisation has σ_max = 1
  for (const f of filters) {
    const want = denseChebyshev(f.gamma, f.lambdaMax, 3);
    const eig = want[0].map((row) => row.reduce((s, x) => s + Math.abs(x), 0));
    assert.ok(Math.max(...eig) < 3, 'the mapped spectrum is bounded');
    const users = [1, 3], r = dense();
    const inputs = users.map((u) => R.indices.slice(R.indptr[u], R.indptr[u + 1]));
    const expect = (o: number, c: number) => matmul([r[users[c]]], want[o - 1])[0];
    // Every (user, item) pair: features of orders 1..3, T_3 from the sparse rows of P.
    const col = Int32Array.from({ length: 10 }, (_, p) => p % 2), item = Int32Array.from({ length: 10 }, (_, p) => p >> 1);
    const feat = new Float32Array(10 * 3);
    pairFeatures(scalarKernels, [f], 3, inputs, col, item, 3, feat, createBasisWork(4, 5, 3));
    for (let p = 0; p < 10; p++) {
      for (let o = 1; o <= 3; o++) {
        const e = expect(o, col[p])[item[p]];
        assert.ok(close(feat[p * 3 + o - 1], e), `γ ${f.gamma} T${o} u${users[col[p]]} i${item[p]}: ${feat[p * 3 + o - 1]} vs ${e}`);
      }
    }
    // Full scores with one-hot θ are the full T_o rows.
    for (let o = 1; o <= 3; o++) {
      const theta = Float32Array.from({ length: 3 }, (_, j) => (j === o - 1 ? 1 : 0));
      const out = new Float32Array(2 * 5);
      scoreSignals(scalarKernels, [f], undefined, 3, theta, inputs, out, createBasisWork(4, 5, 3));
      for (let c = 0; c < 2; c++) for (let i = 0; i < 5; i++) assert.ok(close(out[c * 5 + i], expect(o, c)[i]), `full T${o} u${users[c]} i${i}`);
    }
  }
});

test('scores are Σ θ·r_u T_k + β·r_u D^−½VVᵀD^½; training scores held-out positives from the rest of the row', async () => {
  const cfg = PolyCfConfig.parse({ gammas: [0.5], order: 2, lowPassRank: 2, recWeight: 0, holdout: 0.5 });
  const m = await createPolyCf(cfg, { train: R, kernels: scalarKernels, rng: createRng(3) });
  assert.deepEqual(Array.from(m.params[0].value.data), [0.5, 0, 0.30000001192092896]);
  m.params[0].value.data.set([0.7, -0.2, 0.4]);
  const lp = await buildLowPass(R, 2, createRng(0).derive('polycf-basis'));
  const [t1, t2] = denseChebyshev(0.5, 1, 2);
  const r = dense();
  const di = T(r).map((c) => c.reduce((s, x) => s + x, 0));
  const low = Array.from({ length: 5 }, (_, i) => Array.from({ length: 5 }, (_, j) =>
    di[i] ** -0.5 * (lp.v[i * 2] * lp.v[j * 2] + lp.v[i * 2 + 1] * lp.v[j * 2 + 1]) * di[j] ** 0.5));
  const h = t1.map((row, i) => row.map((v, j) => 0.7 * v - 0.2 * t2[i][j] + 0.4 * low[i][j]));
  const full = matmul(r, h);
  const out = new Float32Array(4 * 5);
  m.freeze().scoreBatch(Int32Array.of(0, 1, 2, 3), out);
  for (let u = 0; u < 4; u++) for (let i = 0; i < 5; i++) assert.ok(close(out[u * 5 + i], full[u][i]), `s[${u},${i}] ${out[u * 5 + i]} vs ${full[u][i]}`);

  // User 1 (items 1, 2, 3), one triple per item; find a step stream that holds out item 2 only.
  const batch = { users: Int32Array.of(1, 1, 1), pos: Int32Array.of(1, 2, 3), neg: Int32Array.of(0, 0, 4) };
  let seed = 0;
  while (Array.from(holdOut(R, batch, 0.5, createRng(seed)).b.pos).join() !== '2') seed++;
  const split = holdOut(R, batch, 0.5, createRng(seed));
  assert.deepEqual(Array.from(split.input[0]), [1, 3]);
  const t = createTape(scalarKernels);
  const ctx = { epoch: 1, step: 0, rng: createRng(seed) };
  const loss = m.loss(t, m.embed(t, ctx), batch, ctx);
  const input = [0, 1, 0, 1, 0];
  const sPos = matmul([input], h)[0][2], sNeg = matmul([input], h)[0][0];
  assert.ok(close(t.scalar(loss.bpr), Math.log1p(Math.exp(sNeg - sPos))), `${t.scalar(loss.bpr)} vs ${Math.log1p(Math.exp(sNeg - sPos))}`);
});

test('hold-out: every held-out positive keeps its triple, the input is the rest of the row', () => {
  const batch = { users: Int32Array.of(0, 1, 0, 1, 1), pos: Int32Array.of(0, 1, 1, 2, 3), neg: Int32Array.of(4, 0, 3, 4, 0) };
  const { users, input, b, col } = holdOut(R, batch, 0.4, createRng(5));
  assert.deepEqual(users, [0, 1]);
  for (let p = 0; p < b.users.length; p++) {
    assert.equal(users[col[p]], b.users[p]);
    assert.ok(!input[col[p]].includes(b.pos[p]));
  }
  const kept = input.reduce((s, x) => s + x.length, 0);
  assert.equal(kept + b.users.length, 5);
});

test('training batches are groups of users; defaults are the documented reconstruction', async () => {
  assert.deepEqual(PolyCfConfig.parse({}), {
    gammas: [0.3, 0.5, 0.7], order: 3, lowPassRank: 256, lowPassInit: 0.3, holdout: 0.2, recWeight: 0.1, usersPerBatch: 512,
    negatives: 'uniform', topNegatives: 100, branchDim: 0, branchLayers: 3, branchRegWeight: 1e-6,
  });
  const m = await createPolyCf(PolyCfConfig.parse({ lowPassRank: 0, usersPerBatch: 7 }), { train: R, kernels: scalarKernels, rng: createRng(3) });
  assert.equal(m.usersPerBatch, 7);
  assert.equal(m.params[0].value.rows, 9);
  assert.deepEqual(m.embed(createTape(scalarKernels), { epoch: 1, step: 0, rng: createRng(1) }).layers, []);
});

test('hard negatives: with topNegatives 1 the negative is the best-scored item the user has not interacted with', async () => {
  const base = { gammas: [0.5], order: 2, lowPassRank: 2, recWeight: 0, holdout: 0.5 };
  const hard = await createPolyCf(PolyCfConfig.parse({ ...base, negatives: 'top', topNegatives: 1 }), { train: R, kernels: scalarKernels, rng: createRng(3) });
  const uniform = await createPolyCf(PolyCfConfig.parse(base), { train: R, kernels: scalarKernels, rng: createRng(3) });
  // User 0 (items 0, 1) with item 1 held out: the filter sees item 0; candidates are items 2, 3, 4.
  const batch = (neg: number) => ({ users: Int32Array.of(0), pos: Int32Array.of(1), neg: Int32Array.of(neg) });
  let seed = 0;
  while (Array.from(holdOut(R, batch(2), 0.5, createRng(seed)).input[0]).join() !== '0') seed++;
  const score = (m: typeof hard, neg: number) => {
    const t = createTape(scalarKernels);
    const ctx = { epoch: 1, step: 0, rng: createRng(seed) };
    return t.scalar(m.loss(t, m.embed(t, ctx), batch(neg), ctx).bpr);
  };
  const byNeg = [2, 3, 4].map((j) => ({ j, loss: score(uniform, j) }));
  const hardest = byNeg.reduce((a, x) => (x.loss > a.loss ? x : a));
  assert.equal(score(hard, 2), hardest.loss);
  assert.equal(score(hard, 4), hardest.loss);
});

test('blocks of signals: features and full scores of 150 signals equal those of each signal alone', async () => {
  const filters = await buildGramFilters(R, [0.3, 0.7], createRng(1));
  const lp = await buildLowPass(R, 2, createRng(2));
  const inputs = Array.from({ length: 150 }, (_, b) => R.indices.slice(R.indptr[b % 4], R.indptr[(b % 4) + 1]).filter((i) => i !== b % 5));
  const col = Int32Array.from({ length: 300 }, (_, p) => 149 - (p % 150)), item = Int32Array.from({ length: 300 }, (_, p) => (p * 7) % 5);
  const theta = Float32Array.of(0.4, -0.3, 0.2, 0.1, 0.5, -0.2, 0.3);
  const feat = new Float32Array(300 * 7), out = new Float32Array(150 * 5);
  pairFeatures(scalarKernels, filters, 3, inputs, col, item, 7, feat, createBasisWork(4, 5, 3));
  scoreSignals(scalarKernels, filters, lp, 3, theta, inputs, out, createBasisWork(4, 5, 3));
  for (const p of [0, 1, 63, 64, 65, 149, 150, 299]) {
    const one = new Float32Array(7);
    pairFeatures(scalarKernels, filters, 3, [inputs[col[p]]], Int32Array.of(0), Int32Array.of(item[p]), 7, one, createBasisWork(4, 5, 3));
    assert.deepEqual(feat.subarray(p * 7, p * 7 + 6), one.subarray(0, 6), `pair ${p}`);
  }
  for (const b of [0, 63, 64, 127, 128, 149]) {
    const alone = new Float32Array(5);
    scoreSignals(scalarKernels, filters, lp, 3, theta, [inputs[b]], alone, createBasisWork(4, 5, 3));
    assert.deepEqual(out.subarray(b * 5, b * 5 + 5), alone, `signal ${b}`);
  }
});
