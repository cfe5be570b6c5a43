import type { Kernels } from '../../tensor/kernels/types.js';
import { randomizedSvdAsync, sparseOperator } from '../../tensor/linalg/randomized-svd.js';
import { type CsrPattern, type SparseMat, transposeSparse } from '../../tensor/sparse.js';
import { sharedF32, toSharedI32 } from '../../tensor/tensor.js';
import type { Rng } from '../../util/rng.js';

/**
 * The spectral pieces of PolyCF (see polycf.ts for the model and what is reconstructed): generalized Gram
 * filters P_γ = R̃_γᵀ R̃_γ with R̃_γ = D_U^−γ R D_I^−(1−γ), a Chebyshev recurrence that applies their
 * polynomial basis to blocks of interaction signals with sparse products only (P is never formed), and the
 * GF-CF ideal low-pass basis from a randomized truncated SVD of R̃_0.5.
 *
 * Signals are stored item-major: a block of c signals is an n_i × c row-major matrix (one column per user),
 * so every product is the kernels' SpMM with c dense columns and each column is computed independently of
 * the others (scores do not depend on how users are batched).
 */
export interface GramFilter {
  readonly gamma: number;
  /** R̃_γ, users × items. */
  readonly r: SparseMat;
  readonly rt: SparseMat;
  /** Largest eigenvalue of P_γ (σ_max(R̃_γ)²), which maps the spectrum to [0, 1]. */
  readonly lambdaMax: number;
}

function degrees(p: CsrPattern): { du: Float64Array; di: Float64Array } {
  const du = new Float64Array(p.rows), di = new Float64Array(p.cols);
  for (let u = 0; u < p.rows; u++) du[u] = p.indptr[u + 1] - p.indptr[u];
  for (let k = 0; k < p.indptr[p.rows]; k++) di[p.indices[k]]++;
  return { du, di };
}

/** R̃_γ with isolated users or items left as zero rows / columns. */
export function normalizedInteractions(p: CsrPattern, gamma: number): SparseMat {
  const { du, di } = degrees(p);
  const values = sharedF32(p.indptr[p.rows]);
  for (let u = 0; u < p.rows; u++) {
    const wu = Math.max(1, du[u]) ** -gamma;
    for (let k = p.indptr[u]; k < p.indptr[u + 1]; k++) values[k] = wu * Math.max(1, di[p.indices[k]]) ** -(1 - gamma);
  }
  return { rows: p.rows, cols: p.cols, indptr: toSharedI32(p.indptr), indices: toSharedI32(p.indices), values };
}

export async function buildGramFilters(p: CsrPattern, gammas: readonly number[], rng: Rng): Promise<GramFilter[]> {
  const out: GramFilter[] = [];
  for (const gamma of gammas) {
    const r = normalizedInteractions(p, gamma);
    const top = await randomizedSvdAsync(sparseOperator(r), { rank: 1, powerIters: 6, rng: rng.derive(`lambda-max/${gamma}`) });
    const s = top.s[0];
    out.push({ gamma, r, rt: transposeSparse(r), lambdaMax: s > 0 ? s * s : 1 });
  }
  return out;
}

/** Reusable buffers for one block width. */
export interface ChebyshevWork {
  readonly cols: number;
  readonly t: [Float32Array, Float32Array, Float32Array];
  readonly mid: Float32Array;
}

export function createChebyshevWork(numUsers: number, numItems: number, cols: number): ChebyshevWork {
  return { cols, t: [sharedF32(numItems * cols), sharedF32(numItems * cols), sharedF32(numItems * cols)], mid: sharedF32(numUsers * cols) };
}

/**
 * Calls visit(k, T_k(x)·S) for k = 1..order, x = 2P_γ/λ_max − I (spectrum in [−1, 1]), S the item-major
 * signal block (numItems × c, c ≤ work.cols): T_1 = x S, T_{k+1} = 2x T_k − T_{k−1}. The visited buffer is
 * reused after visit returns.
 */
export function chebyshevTerms(
  k: Kernels, f: GramFilter, s: Float32Array, c: number, order: number, work: ChebyshevWork,
  visit: (order: number, tk: Float32Array) => void,
): void {
  const n = f.r.cols * c;
  const applyP = (y: Float32Array, out: Float32Array): void => {
    k.spmm(f.r, y, work.mid, c, false);
    k.spmm(f.rt, work.mid, out, c, false);
  };
  let [spare, cur, next] = work.t;
  applyP(s, cur);
  k.scale(cur, 2 / f.lambdaMax, cur, n);
  k.axpy(-1, s, cur, n);
  visit(1, cur);
  let before: Float32Array = s;
  for (let o = 2; o <= order; o++) {
    applyP(cur, next);
    k.scale(next, 4 / f.lambdaMax, next, n);
    k.axpy(-2, cur, next, n);
    k.axpy(-1, before, next, n);
    visit(o, next);
    const free = before === s ? spare : before;
    before = cur;
    cur = next;
    next = free;
  }
}

/** GF-CF's ideal low-pass filter D_I^−½ V Vᵀ D_I^½ on the top right singular vectors V of R̃_0.5. */
export interface LowPass {
  readonly rank: number;
  /** V, items × rank. */
  readonly v: Float32Array;
  /** Rows of V times d_i^½ (the right factor of the scores). */
  readonly vScaled: Float32Array;
  readonly invSqrtDeg: Float32Array;
  readonly sqrtDeg: Float32Array;
}

export async function buildLowPass(p: CsrPattern, rank: number, rng: Rng): Promise<LowPass> {
  const ni = p.cols;
  const kept = Math.min(rank, p.rows, p.cols);
  const { di } = degrees(p);
  const svd = await randomizedSvdAsync(sparseOperator(normalizedInteractions(p, 0.5)), { rank: kept, rng: rng.derive('low-pass-svd') });
  const v = sharedF32(ni * kept), vScaled = sharedF32(ni * kept);
  const invSqrtDeg = new Float32Array(ni), sqrtDeg = new Float32Array(ni);
  for (let i = 0; i < ni; i++) {
    const d = Math.max(1, di[i]);
    invSqrtDeg[i] = 1 / Math.sqrt(d);
    sqrtDeg[i] = Math.sqrt(d);
    for (let j = 0; j < kept; j++) {
      const x = svd.v.data[i * kept + j];
      v[i * kept + j] = x;
      vScaled[i * kept + j] = x * sqrtDeg[i];
    }
  }
  return { rank: kept, v, vScaled, invSqrtDeg, sqrtDeg };
}

/** z = Σ_{i ∈ items[b]} d_i^−½ V_i for each signal b (a user's input items), into out (items.length × rank). */
export function lowPassCoords(lp: LowPass, items: readonly Int32Array[], out: Float32Array): void {
  const r = lp.rank;
  out.fill(0, 0, items.length * r);
  items.forEach((row, b) => {
    for (const i of row) {
      const w = lp.invSqrtDeg[i];
      for (let j = 0; j < r; j++) out[b * r + j] += w * lp.v[i * r + j];
    }
  });
}

/** Item-major signal block: S[i, b] = 1 for every i in items[b]. */
export function signalBlock(numItems: number, items: readonly Int32Array[], out: Float32Array): void {
  const c = items.length;
  out.fill(0, 0, numItems * c);
  items.forEach((row, b) => {
    for (const i of row) out[i * c + b] = 1;
  });
}
