import { zeros, type Mat } from './dense.js';

/** A = U diag(s) Vᵀ, singular values descending. U is m × n, V is n × n (thin SVD for m ≥ n). */
export interface Svd {
  readonly u: Mat;
  readonly s: Float64Array;
  readonly v: Mat;
}

const MAX_SWEEPS = 60;

/**
 * One-sided (Hestenes) Jacobi SVD for small dense matrices (the k × k core of the randomized SVD).
 * Rotates column pairs until all are orthogonal; the column norms are then the singular values. It is
 * slow (O(mn²) per sweep) but accurate to high relative precision, even for tiny singular values, which
 * is why it is preferred to an eigen-decomposition of AᵀA (that squares the condition number).
 * Columns that end at zero (rank deficiency) get a zero singular value and a zero column in U.
 */
export function jacobiSvd(a: Mat): Svd {
  const m = a.rows, n = a.cols;
  if (m < n) throw new RangeError(`jacobiSvd: needs rows >= cols, got ${m}x${n}`);
  // Column-major working copies: every rotation touches two whole columns, so keep columns contiguous.
  const w = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) w[j * m + i] = a.data[i * n + j];
  const vt = new Float64Array(n * n);
  for (let j = 0; j < n; j++) vt[j * n + j] = 1;
  const tol = Math.max(m, 16) * Number.EPSILON;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const op = p * m, oq = q * m;
        let alpha = 0, beta = 0, gamma = 0;
        for (let i = 0; i < m; i++) {
          const x = w[op + i], y = w[oq + i];
          alpha += x * x; beta += y * y; gamma += x * y;
        }
        if (alpha === 0 || beta === 0 || Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), s = c * t;
        rotate(w, op, oq, m, c, s);
        rotate(vt, p * n, q * n, n, c, s);
      }
    }
    if (!rotated) break;
  }
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += w[j * m + i] * w[j * m + i];
    norms[j] = Math.sqrt(s);
  }
  // Descending by value, ties by original column for a deterministic order.
  const order = Array.from({ length: n }, (_, j) => j).sort((x, y) => norms[y] - norms[x] || x - y);
  const u = zeros(m, n), v = zeros(n, n), sv = new Float64Array(n);
  order.forEach((j, k) => {
    sv[k] = norms[j];
    const inv = norms[j] > 0 ? 1 / norms[j] : 0;
    for (let i = 0; i < m; i++) u.data[i * n + k] = w[j * m + i] * inv;
    for (let i = 0; i < n; i++) v.data[i * n + k] = vt[j * n + i];
  });
  return { u, s: sv, v };
}

function rotate(x: Float64Array, op: number, oq: number, len: number, c: number, s: number): void {
  for (let i = 0; i < len; i++) {
    const a = x[op + i], b = x[oq + i];
    x[op + i] = c * a - s * b;
    x[oq + i] = s * a + c * b;
  }
}
