import type { Rng } from '../util/rng.js';
import { sharedF32, sharedI32, toSharedI32 } from './tensor.js';

/**
 * A CSR matrix with float values. Column indices within a row need not be sorted, but kernels visit them in
 * storage order, which fixes the summation order. `indices`/`values` may be longer than nnz (capacity for
 * in-place edge dropout); only the first `indptr[rows]` entries count.
 */
export interface SparseMat {
  readonly rows: number;
  readonly cols: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

/**
 * A sparse operand for the `spmm` op: the matrix and its explicit transpose. Backward multiplies by `t`, so a
 * reweighted or edge-dropped adjacency (no longer symmetric) still gets the right gradient.
 */
export interface SparseOperand {
  readonly a: SparseMat;
  readonly t: SparseMat;
}

/** The index structure of a 0/1 CSR (structurally the same as data/csr.ts's Csr; tensor/ may not import data/). */
export interface CsrPattern {
  readonly rows: number;
  readonly cols: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
}

export function sparseNnz(s: SparseMat): number {
  return s.indptr[s.rows];
}

/** Attach values (default 1) to a pattern; the result lives in shared memory. */
export function sparseFromPattern(p: CsrPattern, values?: Float32Array): SparseMat {
  const nnz = p.indptr[p.rows];
  if (values !== undefined && values.length < nnz) throw new RangeError(`sparse: ${nnz} entries but ${values.length} values`);
  const v = sharedF32(nnz);
  if (values === undefined) v.fill(1); else v.set(values.subarray(0, nnz));
  return { rows: p.rows, cols: p.cols, indptr: toSharedI32(p.indptr), indices: toSharedI32(p.indices), values: v };
}

/**
 * Transpose. Within each output row, entries appear in increasing source-row order. Pass `out` (same
 * capacity, shape cols × rows) to reuse its buffers, e.g. after edge dropout every step.
 */
export function transposeSparse(s: SparseMat, out?: SparseMat): SparseMat {
  const nnz = sparseNnz(s);
  const t = out ?? {
    rows: s.cols, cols: s.rows,
    indptr: sharedI32(s.cols + 1), indices: sharedI32(nnz), values: sharedF32(nnz),
  };
  if (t.rows !== s.cols || t.cols !== s.rows || t.indices.length < nnz) {
    throw new RangeError(`transposeSparse: out must be ${s.cols}x${s.rows} with capacity ≥ ${nnz}`);
  }
  const ip = t.indptr;
  ip.fill(0);
  for (let k = 0; k < nnz; k++) ip[s.indices[k] + 1]++;
  for (let i = 0; i < s.cols; i++) ip[i + 1] += ip[i];
  // Fill cursors: ip[c] is advanced while filling, then shifted back one slot.
  for (let r = 0; r < s.rows; r++) {
    for (let k = s.indptr[r], e = s.indptr[r + 1]; k < e; k++) {
      const c = s.indices[k], dst = ip[c]++;
      t.indices[dst] = r;
      t.values[dst] = s.values[k];
    }
  }
  for (let i = s.cols; i > 0; i--) ip[i] = ip[i - 1];
  ip[0] = 0;
  return t;
}

/** The operand for `spmm`: `a` with its transpose. */
export function sparseOperand(a: SparseMat): SparseOperand {
  return { a, t: transposeSparse(a) };
}

/**
 * The (U+I) × (U+I) bipartite adjacency [[0, R], [Rᵀ, 0]] of a user × item interaction pattern, optionally
 * symmetric-normalised D^-1/2 A D^-1/2 as in LightGCN (isolated nodes get degree 1, i.e. stay zero rows).
 * Users come first, items are offset by R.rows.
 */
export function bipartiteAdjacency(r: CsrPattern, norm: 'sym' | 'none' = 'sym'): SparseMat {
  const nu = r.rows, n = r.rows + r.cols, e = r.indptr[r.rows];
  const indptr = sharedI32(n + 1), indices = sharedI32(2 * e), values = sharedF32(2 * e);
  const itemDeg = new Int32Array(r.cols);
  for (let k = 0; k < e; k++) itemDeg[r.indices[k]]++;
  for (let u = 0; u < nu; u++) indptr[u + 1] = indptr[u] + (r.indptr[u + 1] - r.indptr[u]);
  for (let i = 0; i < r.cols; i++) indptr[nu + i + 1] = indptr[nu + i] + itemDeg[i];
  const cursor = indptr.slice(nu, n);
  for (let u = 0; u < nu; u++) {
    const du = Math.max(1, r.indptr[u + 1] - r.indptr[u]);
    for (let k = r.indptr[u]; k < r.indptr[u + 1]; k++) {
      const i = r.indices[k];
      const w = norm === 'sym' ? 1 / Math.sqrt(du * Math.max(1, itemDeg[i])) : 1;
      const out = indptr[u] + (k - r.indptr[u]);
      indices[out] = nu + i;
      values[out] = w;
      const back = cursor[i]++;
      indices[back] = u;
      values[back] = w;
    }
  }
  return { rows: n, cols: n, indptr, indices, values };
}

/**
 * Edge dropout as in SSLRec's SpAdjEdgeDrop: every stored entry survives independently with probability
 * `keep`, values are NOT rescaled, and the two directions of an edge are dropped independently (so the result
 * is not symmetric — hence the explicit transpose in SparseOperand). Draws one rng.next() per entry in
 * storage order. Pass `out` (same shape, capacity ≥ nnz of `s`) to reuse buffers every step.
 */
export function dropEntries(s: SparseMat, keep: number, rng: Rng, out?: SparseMat): SparseMat {
  const nnz = sparseNnz(s);
  const o = out ?? { rows: s.rows, cols: s.cols, indptr: sharedI32(s.rows + 1), indices: sharedI32(nnz), values: sharedF32(nnz) };
  if (o.rows !== s.rows || o.cols !== s.cols || o.indices.length < nnz) {
    throw new RangeError(`dropEntries: out must be ${s.rows}x${s.cols} with capacity ≥ ${nnz}`);
  }
  let w = 0;
  o.indptr[0] = 0;
  for (let r = 0; r < s.rows; r++) {
    for (let k = s.indptr[r], e = s.indptr[r + 1]; k < e; k++) {
      if (rng.next() < keep) {
        o.indices[w] = s.indices[k];
        o.values[w] = s.values[k];
        w++;
      }
    }
    o.indptr[r + 1] = w;
  }
  return o;
}

/**
 * For a structurally symmetric matrix (entry (i, j) stored iff (j, i) is): mirror[k] is the storage position of
 * the entry transposed to the one at position k. Throws if the pattern is not symmetric.
 */
export function mirrorIndex(s: SparseMat): Int32Array {
  if (s.rows !== s.cols) throw new RangeError(`mirrorIndex: matrix is ${s.rows}x${s.cols}, not square`);
  const nnz = sparseNnz(s), mirror = new Int32Array(nnz), cursor = s.indptr.slice(0, s.rows);
  // Visiting rows in order, the entries (j, i) of row j are met in increasing i, the order in which
  // transposeSparse would place them; a cursor per row j walks row j alongside.
  for (let i = 0; i < s.rows; i++) {
    for (let k = s.indptr[i]; k < s.indptr[i + 1]; k++) {
      const j = s.indices[k], m = cursor[j]++;
      if (m >= s.indptr[j + 1] || s.indices[m] !== i) {
        throw new RangeError(`mirrorIndex: entry (${i}, ${j}) has no transposed partner in the same order (pattern not symmetric or rows not sorted)`);
      }
      mirror[m] = k;
    }
  }
  return mirror;
}

/**
 * dropEntries and the transpose of its result in one pass, for a structurally symmetric matrix with sorted
 * rows (the bipartite adjacency): the transpose keeps position k iff the mirrored entry was kept, so no
 * scatter is needed. The matrix part equals dropEntries(s, keep, rng) for the same rng state. Pass `out`
 * (capacity ≥ nnz of `s`) to reuse buffers every step.
 */
export function dropEntriesWithTranspose(
  s: SparseMat, mirror: Int32Array, keep: number, rng: Rng, out?: SparseOperand,
): SparseOperand {
  const nnz = sparseNnz(s);
  const fresh = (): SparseMat => ({ rows: s.rows, cols: s.cols, indptr: sharedI32(s.rows + 1), indices: sharedI32(nnz), values: sharedF32(nnz) });
  const o = out ?? { a: fresh(), t: fresh() };
  for (const m of [o.a, o.t]) {
    if (m.rows !== s.rows || m.cols !== s.cols || m.indices.length < nnz) {
      throw new RangeError(`dropEntriesWithTranspose: out must be ${s.rows}x${s.cols} with capacity ≥ ${nnz}`);
    }
  }
  const mask = new Uint8Array(nnz);
  for (let k = 0; k < nnz; k++) mask[k] = rng.next() < keep ? 1 : 0;
  const a = o.a, t = o.t;
  let wa = 0, wt = 0;
  a.indptr[0] = 0;
  t.indptr[0] = 0;
  for (let r = 0; r < s.rows; r++) {
    for (let k = s.indptr[r], e = s.indptr[r + 1]; k < e; k++) {
      if (mask[k] === 1) {
        a.indices[wa] = s.indices[k];
        a.values[wa++] = s.values[k];
      }
      const m = mirror[k];
      if (mask[m] === 1) {
        t.indices[wt] = s.indices[k];
        t.values[wt++] = s.values[m];
      }
    }
    a.indptr[r + 1] = wa;
    t.indptr[r + 1] = wt;
  }
  return o;
}
