import type { Rng } from '../../util/rng.js';
import { leadingColumns, matmul, zeros, type Mat } from './dense.js';
import { jacobiSvd } from './jacobi-svd.js';
import { orthonormalize } from './qr.js';
import { spmm, transposeSparse, type SparseMatrix } from './sparse.js';

/** Anything that can multiply by a block of vectors from either side; the SVD never needs A's entries. */
export interface LinearOperator {
  readonly rows: number;
  readonly cols: number;
  /** A X, X is cols × k. */
  apply(x: Mat): Mat;
  /** Aᵀ X, X is rows × k. */
  applyT(x: Mat): Mat;
}

/** A sparse operator; Aᵀ is materialised once so both products gather rows (see `spmm`). */
export function sparseOperator(a: SparseMatrix): LinearOperator {
  const at = transposeSparse(a);
  return { rows: a.rows, cols: a.cols, apply: (x) => spmm(a, x), applyT: (x) => spmm(at, x) };
}

export function denseOperator(a: Mat): LinearOperator {
  const at: Mat = { rows: a.cols, cols: a.rows, data: new Float64Array(a.rows * a.cols) };
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) at.data[j * a.rows + i] = a.data[i * a.cols + j];
  return { rows: a.rows, cols: a.cols, apply: (x) => matmul(a, x), applyT: (x) => matmul(at, x) };
}

export interface RandomizedSvdOptions {
  /** Number of singular triplets wanted. If it exceeds min(rows, cols) the extra ones are zeros. */
  rank: number;
  /** Extra random directions beyond `rank` (Halko et al. recommend 5–10). */
  oversample?: number;
  /** Subspace (power) iterations; each sharpens the spectrum for slowly decaying singular values. */
  powerIters?: number;
  /** Source of the Gaussian test matrix; pass a derived, named stream for reproducibility. */
  rng: Rng;
  /** Also return the left singular vectors (rows × rank). */
  computeU?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number }) => void;
}

export interface TruncatedSvd {
  /** Singular values, descending, length `rank`. */
  readonly s: Float64Array;
  /** Right singular vectors, cols × rank. */
  readonly v: Mat;
  /** Left singular vectors, rows × rank, when `computeU` was set. */
  readonly u?: Mat;
}

/**
 * Randomized truncated SVD (Halko, Martinsson & Tropp 2011, Alg. 4.4 subspace iteration + Alg. 5.1):
 * Y = A Ω for a Gaussian Ω, re-orthonormalised after every multiplication by A or Aᵀ (so the power
 * iterations do not collapse onto the top singular vector in floating point), then Bᵀ = AᵀQ = Q_b R_b and a
 * small Jacobi SVD of R_b. Signs are fixed (largest-magnitude entry of each right vector positive), so
 * the result is a deterministic function of A and the rng seed.
 *
 * Synchronous; `randomizedSvdAsync` computes the same result but yields to the event loop between steps.
 */
export function randomizedSvd(a: LinearOperator, opts: RandomizedSvdOptions): TruncatedSvd {
  const steps = svdSteps(a, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * `randomizedSvd` that gives the event loop a turn between steps (each a product plus a QR, seconds on
 * large inputs), so a Ctrl-C handler can abort the signal and a progress bar can redraw.
 */
export async function randomizedSvdAsync(a: LinearOperator, opts: RandomizedSvdOptions): Promise<TruncatedSvd> {
  const steps = svdSteps(a, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise((resolve) => setImmediate(resolve));
    opts.signal?.throwIfAborted();
  }
}

/** The algorithm as a generator: it yields after each reported step, and checks the signal there. */
function* svdSteps(a: LinearOperator, opts: RandomizedSvdOptions): Generator<void, TruncatedSvd, void> {
  const { rank, oversample = 10, powerIters = 2, rng } = opts;
  if (!Number.isInteger(rank) || rank <= 0) throw new RangeError(`randomizedSvd: rank must be a positive integer, got ${rank}`);
  if (!Number.isInteger(oversample) || oversample < 0) throw new RangeError(`randomizedSvd: oversample must be >= 0, got ${oversample}`);
  if (!Number.isInteger(powerIters) || powerIters < 0) throw new RangeError(`randomizedSvd: powerIters must be >= 0, got ${powerIters}`);
  const l = Math.min(rank + oversample, a.rows, a.cols);
  const total = 2 * powerIters + 2;
  let done = 0;
  const report = (): void => {
    opts.onProgress?.({ done: ++done, total });
    opts.signal?.throwIfAborted();
  };
  opts.signal?.throwIfAborted();

  const omega = zeros(a.cols, l);
  for (let i = 0; i < omega.data.length; i++) omega.data[i] = rng.normal();
  // Intermediate bases only seed the next product, so one CholeskyQR round suffices; the final Q and the
  // QR of Bᵀ feed the answer and get two.
  const last = powerIters === 0 ? 2 : 1;
  let q = orthonormalize(a.apply(omega), { rounds: last }).q;
  report();
  yield;
  for (let it = 0; it < powerIters; it++) {
    const z = orthonormalize(a.applyT(q), { rounds: 1 }).q;
    report();
    yield;
    q = orthonormalize(a.apply(z), { rounds: it === powerIters - 1 ? 2 : 1 }).q;
    report();
    yield;
  }
  // Bᵀ = AᵀQ (cols × l) = Q_b R_b, R_b = U_r Σ W_rᵀ  ⇒  A ≈ Q B = (Q W_r) Σ (Q_b U_r)ᵀ.
  const bt = orthonormalize(a.applyT(q));
  const core = jacobiSvd(bt.r);
  const kept = Math.min(rank, l);
  const vKept = matmul(bt.q, leadingColumns(core.u, kept));
  const uKept = opts.computeU ? matmul(q, leadingColumns(core.v, kept)) : undefined;
  report();
  yield;

  const s = new Float64Array(rank);
  const v = zeros(a.cols, rank);
  const u = uKept ? zeros(a.rows, rank) : undefined;
  for (let j = 0; j < kept; j++) {
    s[j] = core.s[j];
    const sign = dominantSign(vKept, j);
    for (let i = 0; i < a.cols; i++) v.data[i * rank + j] = sign * vKept.data[i * kept + j];
    if (u && uKept) for (let i = 0; i < a.rows; i++) u.data[i * rank + j] = sign * uKept.data[i * kept + j];
  }
  return u ? { s, v, u } : { s, v };
}

/** +1 or -1 so that column j's largest-magnitude entry (first one on ties) becomes positive. */
function dominantSign(m: Mat, j: number): number {
  let best = 0, at = 0;
  for (let i = 0; i < m.rows; i++) {
    const x = Math.abs(m.data[i * m.cols + j]);
    if (x > best) { best = x; at = i; }
  }
  return m.data[at * m.cols + j] < 0 ? -1 : 1;
}
