import type { Kernels } from '../../tensor/kernels/types.js';
import { sharedF32 } from '../../tensor/tensor.js';
import type { GramFilter, LowPass } from './polycf-filter.js';
import { lowPassCoords } from './polycf-filter.js';

/**
 * PolyCF's Chebyshev basis T_k(x_γ), x_γ = 2P_γ/λ_max − I, applied to blocks of interaction signals (see
 * polycf.ts for the model). A block of c signals is stored item-major, n_i × c row-major (one column per
 * user), and every column is computed independently of the others: scores and features do not depend on
 * how users are grouped.
 *
 * Where the time goes, and why it is split this way (Amazon-book, 512 users per step): the first
 * implementation formed every T_k·S in full through R̃ᵀ(R̃ ·), six SpMMs of 512 columns per filter, and then
 * read a few entries per user. Now
 * - T_1 S = (2/λ) P S − S comes from the sparse rows of P at the user's input items (a few thousand
 *   multiply-adds per user instead of two full SpMMs);
 * - T_2 … T_{K−1} are full blocks by the recurrence T_{k+1} = 2x T_k − T_{k−1}, through the kernels' SpMM
 *   on blocks of BLOCK columns (the dense operand then fits in cache: 2.2 instead of 1.5 G multiply-adds/s);
 * - the last order is only needed at the sampled items, [2x T_{K−1} − T_{K−2}]_{i,b} with one sparse row
 *   of P (`termAt`).
 * For K = 3 a training step costs two SpMMs per filter instead of six. Full scores (evaluation, hard
 * negatives) still form every order.
 */
export const BLOCK = 64;

/** Reusable buffers for blocks of up to BLOCK signals. */
export interface BasisWork {
  readonly s: Float32Array;
  /** One full block per order (at least three, for the rotation of full scoring). */
  readonly t: Float32Array[];
  readonly mid: Float32Array;
  readonly acc: Float32Array;
  readonly sum: Float64Array;
  readonly seen: Int32Array;
  readonly touched: Int32Array;
  stamp: number;
}

export function createBasisWork(numUsers: number, numItems: number, order: number): BasisWork {
  const block = (): Float32Array => sharedF32(numItems * BLOCK);
  return {
    s: block(),
    t: Array.from({ length: Math.max(3, order) }, block),
    mid: sharedF32(numUsers * BLOCK),
    acc: block(),
    sum: new Float64Array(numItems),
    seen: new Int32Array(numItems),
    touched: new Int32Array(numItems),
    stamp: 0,
  };
}

/** S[i, b] = 1 for every i in inputs[b0 + b], b < c. */
export function signalBlock(numItems: number, inputs: readonly Int32Array[], b0: number, c: number, out: Float32Array): void {
  out.fill(0, 0, numItems * c);
  for (let b = 0; b < c; b++) for (const i of inputs[b0 + b]) out[i * c + b] = 1;
}

/**
 * The sum of P's rows at the items of `row`, sparse: w.sum[i] for the w.touched[0 .. n) items it reaches (those
 * marked w.seen[i] === the returned stamp, a fresh one per call). Returns n and the stamp.
 */
export function sumGramRows(p: GramFilter['p'], row: Int32Array, w: BasisWork): { n: number; stamp: number } {
  const { indptr, indices, values } = p, { sum, seen, touched } = w, stamp = ++w.stamp;
  let n = 0;
  for (const j of row) {
    for (let e = indptr[j]; e < indptr[j + 1]; e++) {
      const i = indices[e];
      if (seen[i] !== stamp) {
        seen[i] = stamp;
        sum[i] = 0;
        touched[n++] = i;
      }
      sum[i] += values[e];
    }
  }
  return { n, stamp };
}

/** out = T_1 S = (2/λ) P S − S for the signals inputs[b0 .. b0 + c), from the rows of P at the input items. */
export function firstTerm(f: GramFilter, inputs: readonly Int32Array[], b0: number, c: number, out: Float32Array, w: BasisWork): void {
  const a = 2 / f.lambdaMax, { sum, touched } = w;
  out.fill(0, 0, f.p.rows * c);
  for (let b = 0; b < c; b++) {
    const row = inputs[b0 + b], { n } = sumGramRows(f.p, row, w);
    for (let q = 0; q < n; q++) out[touched[q] * c + b] = Math.fround(sum[touched[q]]) * a;
    for (const j of row) out[j * c + b] -= 1;
  }
}

/** out = 2x·cur − before = (4/λ) R̃ᵀ(R̃ cur) − 2 cur − before on full blocks of c columns. */
export function nextTerm(k: Kernels, f: GramFilter, cur: Float32Array, before: Float32Array, c: number, w: BasisWork, out: Float32Array): void {
  k.spmm(f.r, cur, w.mid, c, false);
  k.spmm(f.rt, w.mid, out, c, false);
  const a = 4 / f.lambdaMax, n = f.r.cols * c;
  for (let q = 0; q < n; q++) out[q] = Math.fround(Math.fround(out[q] * a) - 2 * cur[q]) - before[q];
}

/** [2x·cur − before] at item i, column b: (4/λ) Σ_j P[i, j] cur[j, b] − 2 cur[i, b] − before[i, b]. */
export function termAt(f: GramFilter, cur: Float32Array, before: Float32Array, c: number, i: number, b: number): number {
  const { indptr, indices, values } = f.p;
  let s = 0;
  for (let e = indptr[i]; e < indptr[i + 1]; e++) s += values[e] * cur[indices[e] * c + b];
  return Math.fround(Math.fround(Math.fround(s) * (4 / f.lambdaMax)) - 2 * cur[i * c + b]) - before[i * c + b];
}

/**
 * Basis features of (signal, item) pairs: out[p·nf + g·K + o − 1] = [T_o(x_γg) S]_{item[p], col[p]} for
 * every filter g and order o = 1..K, with S the signals `inputs` (col indexes them). Other columns of
 * out (nf > |filters|·K) are left as they are.
 */
export function pairFeatures(
  k: Kernels, filters: readonly GramFilter[], K: number, inputs: readonly Int32Array[], col: Int32Array, item: Int32Array,
  nf: number, out: Float32Array, w: BasisWork,
): void {
  const ni = filters[0]?.r.cols ?? 0, c = inputs.length;
  const byBlock = groupPairs(col, c);
  for (let b0 = 0, blk = 0; b0 < c; b0 += BLOCK, blk++) {
    const cb = Math.min(BLOCK, c - b0), pairs = byBlock[blk];
    if (pairs.length === 0) continue;
    signalBlock(ni, inputs, b0, cb, w.s);
    filters.forEach((f, g) => {
      const t = w.t;
      firstTerm(f, inputs, b0, cb, t[0], w);
      for (let o = 2; o < K; o++) nextTerm(k, f, t[o - 2], o === 2 ? w.s : t[o - 3], cb, w, t[o - 1]);
      for (const p of pairs) {
        const i = item[p], b = col[p] - b0, at = p * nf + g * K;
        for (let o = 1; o < K; o++) out[at + o - 1] = t[o - 1][i * cb + b];
        out[at + K - 1] = K === 1 ? t[0][i * cb + b] : termAt(f, t[K - 2], K === 2 ? w.s : t[K - 3], cb, i, b);
      }
    });
  }
}

/** Pair indices grouped by block of BLOCK columns, in pair order within a block. */
function groupPairs(col: Int32Array, c: number): number[][] {
  const out = Array.from({ length: Math.ceil(c / BLOCK) }, (): number[] => []);
  col.forEach((b, p) => out[Math.floor(b / BLOCK)].push(p));
  return out;
}

/**
 * Full scores of the signals `inputs` with fixed coefficients θ (|filters|·K basis weights, then β when
 * there is a low-pass term), user-major into out (c × n_i): Σ_g Σ_o θ·[T_o S]ᵀ + β·low-pass. (Reading
 * T_2 S from dense T_2 rows is not cheaper here: a user's full training row has ~|row|·n_i reads against
 * 2·nnz(R) SIMD multiply-adds for the two SpMMs.)
 */
export function scoreSignals(
  k: Kernels, filters: readonly GramFilter[], lowPass: LowPass | undefined, K: number, theta: Float32Array,
  inputs: readonly Int32Array[], out: Float32Array, w: BasisWork,
): void {
  const c = inputs.length, ni = filters[0].r.cols;
  if (lowPass) {
    const z = sharedF32(c * lowPass.rank);
    lowPassCoords(lowPass, inputs, z);
    k.gemm(z, lowPass.vScaled, out, c, lowPass.rank, ni, false, true, false);
    k.scale(out, theta[theta.length - 1], out, c * ni);
  } else {
    out.fill(0, 0, c * ni);
  }
  for (let b0 = 0; b0 < c; b0 += BLOCK) {
    const cb = Math.min(BLOCK, c - b0), n = ni * cb, acc = w.acc;
    acc.fill(0, 0, n);
    signalBlock(ni, inputs, b0, cb, w.s);
    filters.forEach((f, g) => {
      const spare = w.t[0];
      let [, cur, next] = w.t, prev: Float32Array = w.s;
      firstTerm(f, inputs, b0, cb, cur, w);
      k.axpy(theta[g * K], cur, acc, n);
      for (let o = 2; o <= K; o++) {
        nextTerm(k, f, cur, prev, cb, w, next);
        k.axpy(theta[g * K + o - 1], next, acc, n);
        const free = prev === w.s ? spare : prev;
        [prev, cur, next] = [cur, next, free];
      }
    });
    for (let i = 0; i < ni; i++) for (let b = 0; b < cb; b++) out[(b0 + b) * ni + i] += acc[i * cb + b];
  }
}
