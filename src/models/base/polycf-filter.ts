import type { Kernels } from '../../tensor/kernels/types.js';
import { randomizedSvdAsync, sparseOperator } from '../../tensor/linalg/randomized-svd.js';
import { type CsrPattern, type SparseMat, transposeSparse } from '../../tensor/sparse.js';
import { sharedF32, sharedI32, toSharedI32 } from '../../tensor/tensor.js';
import type { Rng } from '../../util/rng.js';

/**
 * The spectral pieces of PolyCF (see polycf.ts for the model and what is reconstructed): generalized Gram
 * filters P_γ = R̃_γᵀ R̃_γ with R̃_γ = D_U^−γ R D_I^−(1−γ) (kept both factored and as a sparse P_γ), and the
 * GF-CF ideal low-pass basis from a randomized truncated SVD of R̃_0.5. polycf-basis.ts applies the
 * Chebyshev basis of the filters to blocks of interaction signals.
 */
export interface GramFilter {
  readonly gamma: number;
  /** R̃_γ, users × items. */
  readonly r: SparseMat;
  readonly rt: SparseMat;
  /**
   * P_γ itself, sparse (items × items, symmetric, rows sorted): it has one entry per pair of items with a
   * common user (2.7 M on Amazon-book, 4.3 M on Yelp, 3 % dense), so the products of a few rows with a
   * sparse input signal, and single entries of P·Y, are cheap; full products still go through R̃ᵀ(R̃ Y).
   */
  readonly p: SparseMat;
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
    const rt = transposeSparse(r);
    out.push({ gamma, r, rt, p: gramMatrix(r, rt), lambdaMax: s > 0 ? s * s : 1 });
  }
  return out;
}

/**
 * P = R̃ᵀR̃ as a sparse matrix: entry (i, j) = Σ_u R̃[u, i] R̃[u, j], summed in float64 over the users of i in
 * ascending order and rounded once; each row's columns ascending.
 */
export function gramMatrix(r: SparseMat, rt: SparseMat): SparseMat {
  const ni = r.cols, acc = new Float64Array(ni), seen = new Int32Array(ni).fill(-1);
  const indptr = sharedI32(ni + 1), cols: Int32Array[] = [], vals: Float32Array[] = [];
  let touched: Int32Array = new Int32Array(64);
  for (let i = 0; i < ni; i++) {
    let n = 0;
    for (let e = rt.indptr[i]; e < rt.indptr[i + 1]; e++) {
      const u = rt.indices[e], w = rt.values[e];
      for (let q = r.indptr[u]; q < r.indptr[u + 1]; q++) {
        const j = r.indices[q];
        if (seen[j] !== i) {
          seen[j] = i;
          acc[j] = 0;
          if (n === touched.length) touched = growI32(touched);
          touched[n++] = j;
        }
        acc[j] += w * r.values[q];
      }
    }
    const row = touched.slice(0, n).sort();
    cols.push(row);
    vals.push(Float32Array.from(row, (j) => acc[j]));
    indptr[i + 1] = indptr[i] + n;
  }
  const indices = sharedI32(indptr[ni]), values = sharedF32(indptr[ni]);
  cols.forEach((c, i) => {
    indices.set(c, indptr[i]);
    values.set(vals[i], indptr[i]);
  });
  return { rows: ni, cols: ni, indptr, indices, values };
}

function growI32(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
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
