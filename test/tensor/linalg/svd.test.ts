import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromRows, gram, matmul, transposeMat, zeros, type Mat } from '../../../src/tensor/linalg/dense.js';
import { jacobiSvd } from '../../../src/tensor/linalg/jacobi-svd.js';
import { householderQr } from '../../../src/tensor/linalg/qr.js';
import { denseOperator, randomizedSvd, randomizedSvdAsync, sparseOperator } from '../../../src/tensor/linalg/randomized-svd.js';
import type { SparseMatrix } from '../../../src/tensor/linalg/sparse.js';
import { createRng } from '../../../src/util/rng.js';

function randMat(rows: number, cols: number, seed: number): Mat {
  const rng = createRng(seed);
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal();
  return m;
}

/**
 * Independent reference: eigenvalues of the symmetric AᵀA by the classical two-sided (cyclic) Jacobi
 * eigenvalue method, in float64; singular values are their square roots. Deliberately a different
 * algorithm from the library's one-sided Jacobi SVD.
 */
function referenceSingularValues(a: Mat): number[] {
  const g = gram(a);
  const n = g.rows, s = g.data;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += s[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = s[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (s[q * n + q] - s[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), sn = t * c;
        for (let k = 0; k < n; k++) { // rotate columns p, q
          const akp = s[k * n + p], akq = s[k * n + q];
          s[k * n + p] = c * akp - sn * akq;
          s[k * n + q] = sn * akp + c * akq;
        }
        for (let k = 0; k < n; k++) { // rotate rows p, q
          const apk = s[p * n + k], aqk = s[q * n + k];
          s[p * n + k] = c * apk - sn * aqk;
          s[q * n + k] = sn * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => Math.sqrt(Math.max(0, s[i * n + i]))).sort((x, y) => y - x);
}

/** A = U diag(s) Vᵀ with random orthonormal U, V, so the singular values are known exactly. */
function withSpectrum(rows: number, cols: number, s: number[], seed: number): Mat {
  const u = householderQr(randMat(rows, s.length, seed)).q;
  const v = householderQr(randMat(cols, s.length, seed + 1)).q;
  const us = zeros(rows, s.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < s.length; j++) us.data[i * s.length + j] = u.data[i * s.length + j] * s[j];
  return matmul(us, transposeMat(v));
}

function toSparse(a: Mat): SparseMatrix {
  const indptr = new Int32Array(a.rows + 1), idx: number[] = [], val: number[] = [];
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) if (a.data[i * a.cols + j] !== 0) { idx.push(j); val.push(a.data[i * a.cols + j]); }
    indptr[i + 1] = idx.length;
  }
  return { rows: a.rows, cols: a.cols, indptr, indices: Int32Array.from(idx), values: Float64Array.from(val) };
}

function orthError(q: Mat): number {
  const g = gram(q);
  let e = 0;
  for (let i = 0; i < g.rows; i++) for (let j = 0; j < g.cols; j++) e = Math.max(e, Math.abs(g.data[i * g.cols + j] - (i === j ? 1 : 0)));
  return e;
}

function reconstruct(u: Mat, s: Float64Array, v: Mat): Mat {
  const us = zeros(u.rows, u.cols);
  for (let i = 0; i < u.rows; i++) for (let j = 0; j < u.cols; j++) us.data[i * u.cols + j] = u.data[i * u.cols + j] * s[j];
  return matmul(us, transposeMat(v));
}

function maxAbsDiff(a: Mat, b: Mat): number {
  let e = 0;
  for (let i = 0; i < a.data.length; i++) e = Math.max(e, Math.abs(a.data[i] - b.data[i]));
  return e;
}

test('jacobiSvd: hand example [[3,0],[4,5]] has singular values 3√5 and √5', () => {
  const { s, u, v } = jacobiSvd(fromRows([[3, 0], [4, 5]]));
  assert.ok(Math.abs(s[0] - 3 * Math.sqrt(5)) < 1e-14);
  assert.ok(Math.abs(s[1] - Math.sqrt(5)) < 1e-14);
  assert.ok(maxAbsDiff(reconstruct(u, s, v), fromRows([[3, 0], [4, 5]])) < 1e-14);
});

test('jacobiSvd matches the two-sided Jacobi eigen reference; U, V orthonormal; U S Vᵀ = A', () => {
  const a = randMat(12, 7, 5);
  const { u, s, v } = jacobiSvd(a);
  const ref = referenceSingularValues(a);
  for (let i = 0; i < 7; i++) assert.ok(Math.abs(s[i] - ref[i]) < 1e-10 * ref[0], `σ${i}: ${s[i]} vs ${ref[i]}`);
  for (let i = 1; i < 7; i++) assert.ok(s[i] <= s[i - 1]);
  assert.ok(orthError(u) < 1e-13);
  assert.ok(orthError(v) < 1e-13);
  assert.ok(maxAbsDiff(reconstruct(u, s, v), a) < 1e-12);
});

test('jacobiSvd: rank-deficient matrix gets exact zero-ish trailing values', () => {
  const a = withSpectrum(9, 6, [5, 2, 1], 7);
  const { s } = jacobiSvd(a);
  assert.deepEqual(Array.from(s.subarray(0, 3), (x) => Number(x.toFixed(10))), [5, 2, 1]);
  for (let i = 3; i < 6; i++) assert.ok(s[i] < 1e-12, `σ${i} = ${s[i]}`);
});

test('randomizedSvd recovers an exactly low-rank matrix (dense and sparse operators agree)', async () => {
  const spectrum = [9, 7, 4, 2.5, 1, 0.5];
  const a = withSpectrum(80, 50, spectrum, 11);
  const dense = randomizedSvd(denseOperator(a), { rank: 4, rng: createRng(1), computeU: true });
  const sparse = randomizedSvd(sparseOperator(toSparse(a)), { rank: 4, rng: createRng(1), computeU: true });
  for (let i = 0; i < 4; i++) {
    assert.ok(Math.abs(dense.s[i] - spectrum[i]) < 1e-10, `σ${i} ${dense.s[i]}`);
    assert.ok(Math.abs(sparse.s[i] - dense.s[i]) < 1e-12);
  }
  assert.equal(dense.v.rows, 50);
  assert.equal(dense.v.cols, 4);
  assert.ok(orthError(dense.v) < 1e-12);
  assert.ok(dense.u && orthError(dense.u) < 1e-12);
  // Rank-4 reconstruction error is exactly the discarded spectrum (Eckart–Young): sqrt(1² + 0.5²).
  const r = reconstruct(dense.u!, dense.s, dense.v);
  let err = 0;
  for (let i = 0; i < a.data.length; i++) err += (a.data[i] - r.data[i]) ** 2;
  assert.ok(Math.abs(Math.sqrt(err) - Math.sqrt(1.25)) < 1e-9, `residual ${Math.sqrt(err)}`);
});

test('randomizedSvd on a full-rank random matrix matches the reference with power iterations', async () => {
  const a = randMat(60, 30, 13);
  const ref = referenceSingularValues(a);
  const approx = randomizedSvd(denseOperator(a), { rank: 5, oversample: 10, powerIters: 4, rng: createRng(2) });
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(approx.s[i] - ref[i]) / ref[i] < 0.02, `σ${i}: ${approx.s[i]} vs ${ref[i]}`);
  // rank ≥ min(rows, cols): the sketch spans everything, so the values are exact.
  const full = randomizedSvd(denseOperator(a), { rank: 30, powerIters: 0, rng: createRng(2) });
  for (let i = 0; i < 30; i++) assert.ok(Math.abs(full.s[i] - ref[i]) < 1e-10 * ref[0]);
});

test('randomizedSvd: deterministic for a seed, signs fixed, rank beyond the shape padded with zeros', async () => {
  const a = randMat(20, 8, 17);
  const x = randomizedSvd(denseOperator(a), { rank: 12, rng: createRng(5) });
  const y = randomizedSvd(denseOperator(a), { rank: 12, rng: createRng(5) });
  assert.deepEqual(x.s, y.s);
  assert.deepEqual(x.v.data, y.v.data);
  assert.equal(x.v.cols, 12);
  for (let j = 8; j < 12; j++) {
    assert.equal(x.s[j], 0);
    for (let i = 0; i < 8; i++) assert.equal(x.v.data[i * 12 + j], 0);
  }
  // A different seed finds the same (full) subspace, and sign fixing makes the vectors agree too.
  const z = randomizedSvd(denseOperator(a), { rank: 8, rng: createRng(99) });
  for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) assert.ok(Math.abs(z.v.data[i * 8 + j] - x.v.data[i * 12 + j]) < 1e-9);
});

test('randomizedSvd honours an aborted signal and reports progress', async () => {
  const a = randMat(20, 8, 19);
  const steps: number[] = [];
  randomizedSvd(denseOperator(a), { rank: 3, powerIters: 2, rng: createRng(1), onProgress: (p) => steps.push(p.done / p.total) });
  assert.deepEqual(steps, [1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1]);
  const pre = new AbortController();
  pre.abort(new Error('stop'));
  assert.throws(() => randomizedSvd(denseOperator(a), { rank: 3, rng: createRng(1), signal: pre.signal }), /stop/);
  // Aborted while running (here from the first progress report): it stops at the next step boundary.
  const mid = new AbortController();
  let reports = 0;
  const onProgress = (): void => { reports++; mid.abort(new Error('stop mid-way')); };
  assert.throws(() => randomizedSvd(denseOperator(a), { rank: 3, rng: createRng(1), signal: mid.signal, onProgress }), /stop mid-way/);
  assert.equal(reports, 1);
  // The async variant yields between steps, so an abort from elsewhere (a timer, a SIGINT handler) lands.
  const later = new AbortController();
  setImmediate(() => later.abort(new Error('stop from a timer')));
  const seen: number[] = [];
  await assert.rejects(
    randomizedSvdAsync(denseOperator(a), { rank: 3, powerIters: 4, rng: createRng(1), signal: later.signal, onProgress: (p) => seen.push(p.done) }),
    /stop from a timer/,
  );
  assert.ok(seen.length < 10, `stopped after ${seen.length} of 10 steps`);
  const same = await randomizedSvdAsync(denseOperator(a), { rank: 3, rng: createRng(1) });
  assert.deepEqual(same.v.data, randomizedSvd(denseOperator(a), { rank: 3, rng: createRng(1) }).v.data);
});
