import { gram, zeros, type Mat } from './dense.js';

/** Thin QR: A (m × n, m ≥ n) = Q R with Q m × n orthonormal columns and R n × n upper triangular. */
export interface Qr {
  readonly q: Mat;
  readonly r: Mat;
}

/**
 * Householder QR, the robust path: Q is orthonormal to rounding even when A is rank deficient (a zero
 * column just yields a zero on R's diagonal). Cost 4mn² flops for R and Q together.
 */
export function householderQr(a: Mat): Qr {
  const m = a.rows, n = a.cols;
  if (m < n) throw new RangeError(`householderQr: needs rows >= cols, got ${m}x${n}`);
  const w = new Float64Array(a.data);
  const v = new Float64Array(m * n); // reflector j lives in column j, rows j..m-1
  const scale = new Float64Array(n); // 2 / vᵀv, 0 when the reflector is the identity
  const acc = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let norm2 = 0;
    for (let i = j; i < m; i++) norm2 += w[i * n + j] * w[i * n + j];
    if (norm2 === 0) continue;
    const x0 = w[j * n + j];
    const beta = x0 >= 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
    const v0 = x0 - beta;
    v[j * n + j] = v0;
    for (let i = j + 1; i < m; i++) v[i * n + j] = w[i * n + j];
    scale[j] = 2 / (norm2 - x0 * x0 + v0 * v0);
    applyReflector(w, n, v, n, j, j + 1, n, m, scale[j], acc);
    w[j * n + j] = beta;
    for (let i = j + 1; i < m; i++) w[i * n + j] = 0;
  }
  const r = zeros(n, n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) r.data[i * n + j] = w[i * n + j];
  // Q = H_0 … H_{n-1} [I; 0], accumulated backwards so reflector j only touches columns j..n-1.
  const q = zeros(m, n);
  for (let j = 0; j < n; j++) q.data[j * n + j] = 1;
  for (let j = n - 1; j >= 0; j--) if (scale[j] !== 0) applyReflector(q.data, n, v, n, j, j, n, m, scale[j], acc);
  return { q, r };
}

/**
 * X[j.., c0..c1) -= s · v (vᵀ X[j.., c0..c1)) for reflector column j of `v`. Two passes over the rows, both
 * contiguous row segments (row-major), with the vᵀX row accumulated in `acc`.
 */
function applyReflector(
  x: Float64Array, xCols: number, v: Float64Array, vCols: number,
  j: number, c0: number, c1: number, m: number, s: number, acc: Float64Array,
): void {
  acc.fill(0, c0, c1);
  for (let i = j; i < m; i++) {
    const vi = v[i * vCols + j];
    if (vi === 0) continue;
    const row = i * xCols;
    for (let c = c0; c < c1; c++) acc[c] += vi * x[row + c];
  }
  for (let c = c0; c < c1; c++) acc[c] *= s;
  for (let i = j; i < m; i++) {
    const vi = v[i * vCols + j];
    if (vi === 0) continue;
    const row = i * xCols;
    for (let c = c0; c < c1; c++) x[row + c] -= vi * acc[c];
  }
}

/**
 * Smallest pivot CholeskyQR accepts, relative to the column's own squared norm (the squared sine of the
 * angle between a column and the span of the previous ones). Below it the Gram matrix is too ill-conditioned
 * for two passes to restore orthogonality, and we fall back to Householder.
 */
const CHOL_REL_PIVOT = 1e-10;

/**
 * Orthonormal basis of A's columns (thin QR). Fast path CholeskyQR2 (Yamamoto et al. 2015: two rounds of
 * Gram → Cholesky → triangular solve, all row-streaming loops with good cache reuse); when the Gram matrix
 * is near singular (rank-deficient or badly conditioned A) it falls back to Householder, which is slower
 * but unconditionally stable. Either way R is returned, with A = Q R.
 *
 * `rounds: 1` stops after one CholeskyQR round: Q is then orthonormal only to about ε·cond(A)², which is
 * plenty when Q merely seeds the next power iteration (that product is re-orthonormalised anyway).
 */
export function orthonormalize(a: Mat, opts: { rounds?: 1 | 2 } = {}): Qr {
  if (a.rows < a.cols) throw new RangeError(`orthonormalize: needs rows >= cols, got ${a.rows}x${a.cols}`);
  const first = choleskyQr(a);
  if (!first) return householderQr(a);
  if (opts.rounds === 1) return first;
  const second = choleskyQr(first.q);
  if (!second) return householderQr(a);
  return { q: second.q, r: upperTimesUpper(second.r, first.r) };
}

/** One CholeskyQR round; undefined when a pivot falls below CHOL_REL_PIVOT. */
export function choleskyQr(a: Mat): Qr | undefined {
  const r = cholesky(gram(a));
  if (!r) return undefined;
  return { q: timesUpper(a, invertUpper(r)), r };
}

/** Upper R with G = RᵀR (G symmetric positive definite), row by row with a rank-1 downdate of the rest. */
function cholesky(g: Mat): Mat | undefined {
  const k = g.rows;
  const w = new Float64Array(g.data);
  const r = zeros(k, k);
  const R = r.data;
  for (let j = 0; j < k; j++) {
    const d = w[j * k + j];
    if (!(d > CHOL_REL_PIVOT * g.data[j * k + j]) || !(d > 0)) return undefined;
    const rjj = Math.sqrt(d);
    for (let c = j; c < k; c++) R[j * k + c] = w[j * k + c] / rjj;
    for (let c = j + 1; c < k; c++) {
      const rc = R[j * k + c];
      if (rc === 0) continue;
      const row = c * k;
      for (let c2 = c; c2 < k; c2++) w[row + c2] -= rc * R[j * k + c2];
    }
  }
  return r;
}

/** Inverse of an upper-triangular matrix with non-zero diagonal (itself upper triangular). */
function invertUpper(r: Mat): Mat {
  const k = r.rows, R = r.data;
  const inv = zeros(k, k), X = inv.data;
  for (let i = k - 1; i >= 0; i--) {
    X[i * k + i] = 1 / R[i * k + i];
    // Row i of R⁻¹: X[i, j] = -(Σ_{l=i+1..j} R[i,l] X[l,j]) / R[i,i], accumulated as row axpys.
    for (let l = i + 1; l < k; l++) {
      const s = R[i * k + l];
      if (s === 0) continue;
      for (let j = l; j < k; j++) X[i * k + j] -= s * X[l * k + j];
    }
    const d = X[i * k + i];
    for (let j = i + 1; j < k; j++) X[i * k + j] *= d;
  }
  return inv;
}

/**
 * A U for upper-triangular U, as dot products of A's rows with U's columns (held as rows of Uᵀ): a 4 × 2
 * register block needs 6 loads per 8 multiply-adds and stores each output once, ~1.5× faster than
 * streaming axpys into the output rows.
 */
function timesUpper(a: Mat, u: Mat): Mat {
  const m = a.rows, k = a.cols;
  const L = new Float64Array(k * k); // Uᵀ: row j holds column j of U (zeros past the diagonal)
  for (let i = 0; i < k; i++) for (let j = i; j < k; j++) L[j * k + i] = u.data[i * k + j];
  const out = zeros(m, k);
  const A = a.data, O = out.data;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const r0 = i * k, r1 = r0 + k, r2 = r1 + k, r3 = r2 + k;
    for (let j = 0; j < k; j += 2) {
      const j1 = j + 1 < k ? j + 1 : j;
      const l0 = j * k, l1 = j1 * k;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
      for (let l = 0; l <= j1; l++) {
        const x0 = L[l0 + l], x1 = L[l1 + l];
        const a0 = A[r0 + l], a1 = A[r1 + l], a2 = A[r2 + l], a3 = A[r3 + l];
        s00 += a0 * x0; s01 += a0 * x1; s10 += a1 * x0; s11 += a1 * x1;
        s20 += a2 * x0; s21 += a2 * x1; s30 += a3 * x0; s31 += a3 * x1;
      }
      O[r0 + j] = s00; O[r1 + j] = s10; O[r2 + j] = s20; O[r3 + j] = s30;
      if (j1 !== j) { O[r0 + j1] = s01; O[r1 + j1] = s11; O[r2 + j1] = s21; O[r3 + j1] = s31; }
    }
  }
  for (; i < m; i++) {
    const r0 = i * k;
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let l = 0; l <= j; l++) s += A[r0 + l] * L[j * k + l];
      O[r0 + j] = s;
    }
  }
  return out;
}

/** Product of two upper-triangular k × k matrices (upper triangular). */
function upperTimesUpper(a: Mat, b: Mat): Mat {
  const k = a.rows, A = a.data, B = b.data;
  const c = zeros(k, k), C = c.data;
  for (let i = 0; i < k; i++) {
    for (let l = i; l < k; l++) {
      const s = A[i * k + l];
      if (s === 0) continue;
      for (let j = l; j < k; j++) C[i * k + j] += s * B[l * k + j];
    }
  }
  return c;
}
