import type { SparseMat } from '../sparse.js';
import type { Arr } from '../tensor.js';

/**
 * y (+)= A · x. Each output row is summed in float64 over the row's entries in storage order, eight columns
 * at a time in registers (n = 32 → four passes over the row's indices), then rounded once on store.
 */
export function spmmScalar(a: SparseMat, x: Arr, y: Arr, n: number, accumulate: boolean): void {
  const indptr = a.indptr, indices = a.indices, values = a.values;
  for (let i = 0; i < a.rows; i++) {
    const start = indptr[i], end = indptr[i + 1], yo = i * n;
    let j = 0;
    for (; j + 8 <= n; j += 8) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      for (let e = start; e < end; e++) {
        const v = values[e], xo = indices[e] * n + j;
        s0 += v * x[xo]; s1 += v * x[xo + 1]; s2 += v * x[xo + 2]; s3 += v * x[xo + 3];
        s4 += v * x[xo + 4]; s5 += v * x[xo + 5]; s6 += v * x[xo + 6]; s7 += v * x[xo + 7];
      }
      const o = yo + j;
      if (accumulate) {
        y[o] += s0; y[o + 1] += s1; y[o + 2] += s2; y[o + 3] += s3;
        y[o + 4] += s4; y[o + 5] += s5; y[o + 6] += s6; y[o + 7] += s7;
      } else {
        y[o] = s0; y[o + 1] = s1; y[o + 2] = s2; y[o + 3] = s3;
        y[o + 4] = s4; y[o + 5] = s5; y[o + 6] = s6; y[o + 7] = s7;
      }
    }
    for (; j < n; j++) {
      let s = 0;
      for (let e = start; e < end; e++) s += values[e] * x[indices[e] * n + j];
      if (accumulate) y[yo + j] += s; else y[yo + j] = s;
    }
  }
}

/**
 * Edge dropout's compaction for a structurally symmetric `s` with sorted rows: `a` gets the entries k with
 * keep[k] = 1 and `t` = aᵀ. With mirror = mirrorIndex(s), the caller passes tValues[k] = s.values[mirror[k]]
 * and keepT[k] = keep[mirror[k]]: row r of aᵀ holds the kept entries (c, r) of a, which are the entries of
 * row r of s whose mirror is kept, in storage order, so `t` equals transposeSparse(a), entry order included.
 * Both halves are then the same streaming pass. a and t need capacity ≥ nnz(s) (entries past the kept count
 * are scratch); keep and keepT hold 0 or 1. Parts 0 (a) and 1 (t) of [lo, hi) are built, so two threads can
 * share the work.
 */
export function keepEntriesScalar(
  s: SparseMat, tValues: Float32Array, keep: Uint8Array, keepT: Uint8Array, a: SparseMat, t: SparseMat,
): void {
  keepEntriesParts(s, tValues, keep, keepT, a, t, 0, 2);
}

export function keepEntriesParts(
  s: SparseMat, tValues: Float32Array, keep: Uint8Array, keepT: Uint8Array, a: SparseMat, t: SparseMat, lo: number, hi: number,
): void {
  if (lo <= 0 && hi > 0) compactEntries(s.rows, s.indptr, s.indices, s.values, keep, a);
  if (lo <= 1 && hi > 1) compactEntries(s.rows, s.indptr, s.indices, tValues, keepT, t);
}

function compactEntries(rows: number, sp: Int32Array, si: Int32Array, sv: Float32Array, keep: Uint8Array, out: SparseMat): void {
  const op = out.indptr, oi = out.indices, ov = out.values;
  let w = 0;
  op[0] = 0;
  for (let r = 0; r < rows; r++) {
    // Branch-free: every entry is written at the cursor, which advances only for kept ones (a dropped entry
    // is overwritten by the next); 20% drops at random would mispredict a branch often.
    for (let k = sp[r], e = sp[r + 1]; k < e; k++) {
      oi[w] = si[k];
      ov[w] = sv[k];
      w += keep[k];
    }
    op[r + 1] = w;
  }
}

export function gatherRowsScalar(src: Arr, idx: Int32Array, out: Arr, cols: number): void {
  for (let i = 0; i < idx.length; i++) {
    const so = idx[i] * cols, oo = i * cols;
    for (let j = 0; j < cols; j++) out[oo + j] = src[so + j];
  }
}

export function gatherAddRowsScalar(src: Arr, idx: Int32Array, out: Arr, cols: number): void {
  for (let i = 0; i < idx.length; i++) {
    const so = idx[i] * cols, oo = i * cols;
    for (let j = 0; j < cols; j++) out[oo + j] += src[so + j];
  }
}

export function scatterAddRowsScalar(src: Arr, idx: Int32Array, out: Arr, cols: number): void {
  for (let i = 0; i < idx.length; i++) {
    const so = i * cols, oo = idx[i] * cols;
    for (let j = 0; j < cols; j++) out[oo + j] += src[so + j];
  }
}

/**
 * scatterAddRows restricted to destination rows [lo, hi): the worker pool gives each thread a disjoint row
 * range, and each destination row still receives its sources in increasing i, exactly as the scalar kernel.
 */
export function scatterAddRowsRange(src: Arr, idx: Int32Array, out: Arr, cols: number, lo: number, hi: number): void {
  for (let i = 0; i < idx.length; i++) {
    const d = idx[i];
    if (d < lo || d >= hi) continue;
    const so = i * cols, oo = d * cols;
    for (let j = 0; j < cols; j++) out[oo + j] += src[so + j];
  }
}
