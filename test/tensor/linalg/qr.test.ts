import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromRows, gram, matmul, zeros, type Mat } from '../../../src/tensor/linalg/dense.js';
import { choleskyQr, householderQr, orthonormalize } from '../../../src/tensor/linalg/qr.js';
import { createRng } from '../../../src/util/rng.js';

function randMat(rows: number, cols: number, seed: number): Mat {
  const rng = createRng(seed);
  const m = zeros(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal();
  return m;
}

/** max |QᵀQ - I| */
function orthError(q: Mat): number {
  const g = gram(q);
  let e = 0;
  for (let i = 0; i < g.rows; i++) for (let j = 0; j < g.cols; j++) e = Math.max(e, Math.abs(g.data[i * g.cols + j] - (i === j ? 1 : 0)));
  return e;
}

function maxAbsDiff(a: Mat, b: Mat): number {
  assert.equal(a.rows, b.rows);
  assert.equal(a.cols, b.cols);
  let e = 0;
  for (let i = 0; i < a.data.length; i++) e = Math.max(e, Math.abs(a.data[i] - b.data[i]));
  return e;
}

function assertUpper(r: Mat): void {
  for (let i = 0; i < r.rows; i++) for (let j = 0; j < i; j++) assert.equal(r.data[i * r.cols + j], 0, `R[${i},${j}]`);
}

test('householderQr: hand example', () => {
  // A = [[3, 1], [4, 2]]: first column has norm 5, so |R00| = 5 and |R11| = |det A| / 5 = 2/5.
  const a = fromRows([[3, 1], [4, 2]]);
  const { q, r } = householderQr(a);
  assert.ok(Math.abs(Math.abs(r.data[0]) - 5) < 1e-14);
  assert.ok(Math.abs(Math.abs(r.data[3]) - 0.4) < 1e-14);
  assert.ok(maxAbsDiff(matmul(q, r), a) < 1e-14);
  assertUpper(r);
});

test('householderQr: orthonormal Q and Q R = A on a tall random matrix', () => {
  const a = randMat(200, 17, 1);
  const { q, r } = householderQr(a);
  assert.equal(q.rows, 200);
  assert.equal(q.cols, 17);
  assert.ok(orthError(q) < 1e-13, `orth ${orthError(q)}`);
  assert.ok(maxAbsDiff(matmul(q, r), a) < 1e-12);
  assertUpper(r);
});

test('householderQr: rank-deficient input still gives an orthonormal Q', () => {
  const a = randMat(30, 5, 2);
  for (let i = 0; i < 30; i++) {
    a.data[i * 5 + 3] = 2 * a.data[i * 5 + 1]; // column 3 = 2 × column 1
    a.data[i * 5 + 4] = 0; // zero column
  }
  const { q, r } = householderQr(a);
  assert.ok(orthError(q) < 1e-13);
  assert.ok(maxAbsDiff(matmul(q, r), a) < 1e-12);
  assert.ok(Math.abs(r.data[3 * 5 + 3]) < 1e-12, 'dependent column has no new direction');
});

test('choleskyQr refuses a rank-deficient Gram matrix; orthonormalize falls back and stays exact', () => {
  const a = randMat(40, 6, 3);
  for (let i = 0; i < 40; i++) a.data[i * 6 + 5] = a.data[i * 6] - a.data[i * 6 + 2];
  assert.equal(choleskyQr(a), undefined);
  const { q, r } = orthonormalize(a);
  assert.ok(orthError(q) < 1e-13);
  assert.ok(maxAbsDiff(matmul(q, r), a) < 1e-12);
});

test('orthonormalize (CholeskyQR2 path) on an ill-conditioned matrix: orthogonal to rounding', () => {
  // Columns scaled over 4 orders of magnitude: cond ≈ 1e4, where one CholeskyQR round loses ~8 digits.
  const a = randMat(500, 20, 4);
  for (let i = 0; i < 500; i++) for (let j = 0; j < 20; j++) a.data[i * 20 + j] *= 10 ** (-4 * j / 19);
  const one = choleskyQr(a);
  assert.ok(one, 'first CholeskyQR round succeeds');
  const { q, r } = orthonormalize(a);
  assert.ok(orthError(q) < 1e-13, `orth ${orthError(q)} (one round: ${orthError(one.q)})`);
  assert.ok(maxAbsDiff(matmul(q, r), a) < 1e-12);
  assertUpper(r);
});

test('orthonormalize rejects wide matrices', () => {
  assert.throws(() => orthonormalize(zeros(3, 4)), /rows >= cols/);
});
