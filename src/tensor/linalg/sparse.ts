import { zeros, type Mat } from './dense.js';

/**
 * Real-valued sparse matrix in CSR form (the data layer's `Csr` is a 0/1 pattern without values).
 * Column indices within a row need not be sorted for the products below.
 */
export interface SparseMatrix {
  readonly rows: number;
  readonly cols: number;
  /** rows + 1 offsets into `indices` / `values`. */
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array | Float64Array;
}

/** Check the CSR invariants once, so the product loops can trust them. */
export function checkSparse(a: SparseMatrix): void {
  const { rows, cols, indptr, indices, values } = a;
  if (indptr.length !== rows + 1 || indptr[0] !== 0) throw new RangeError(`sparse: indptr must have ${rows + 1} entries starting at 0`);
  const nnz = indptr[rows];
  if (indices.length < nnz || values.length < nnz) throw new RangeError(`sparse: indptr ends at ${nnz} but indices/values are shorter`);
  for (let r = 0; r < rows; r++) if (indptr[r + 1] < indptr[r]) throw new RangeError(`sparse: indptr decreases at row ${r}`);
  for (let e = 0; e < nnz; e++) {
    if (indices[e] < 0 || indices[e] >= cols) throw new RangeError(`sparse: column ${indices[e]} out of range [0, ${cols})`);
  }
}

/**
 * A X for sparse A (n × m) and dense X (m × k): each output row is a weighted sum of rows of X, four
 * non-zeros folded per pass so the output row is loaded and stored once per four multiply-adds.
 */
export function spmm(a: SparseMatrix, x: Mat): Mat {
  if (a.cols !== x.rows) throw new RangeError(`spmm: ${a.rows}x${a.cols} times ${x.rows}x${x.cols}`);
  const k = x.cols;
  const y = zeros(a.rows, k);
  const X = x.data, Y = y.data, { indptr, indices, values } = a;
  for (let r = 0; r < a.rows; r++) {
    const yr = r * k, end = indptr[r + 1];
    let e = indptr[r];
    for (; e + 4 <= end; e += 4) {
      const s0 = values[e], s1 = values[e + 1], s2 = values[e + 2], s3 = values[e + 3];
      const x0 = indices[e] * k, x1 = indices[e + 1] * k, x2 = indices[e + 2] * k, x3 = indices[e + 3] * k;
      for (let j = 0; j < k; j++) Y[yr + j] += s0 * X[x0 + j] + s1 * X[x1 + j] + s2 * X[x2 + j] + s3 * X[x3 + j];
    }
    for (; e < end; e++) {
      const s = values[e], xr = indices[e] * k;
      for (let j = 0; j < k; j++) Y[yr + j] += s * X[xr + j];
    }
  }
  return y;
}

/** Aᵀ in CSR form (columns become rows, entries in ascending original row order). */
export function transposeSparse(a: SparseMatrix): SparseMatrix {
  const nnz = a.indptr[a.rows];
  const indptr = new Int32Array(a.cols + 1);
  for (let e = 0; e < nnz; e++) indptr[a.indices[e] + 1]++;
  for (let c = 0; c < a.cols; c++) indptr[c + 1] += indptr[c];
  const fill = indptr.slice(0, a.cols);
  const indices = new Int32Array(nnz);
  const values = new Float64Array(nnz);
  for (let r = 0; r < a.rows; r++) {
    for (let e = a.indptr[r]; e < a.indptr[r + 1]; e++) {
      const at = fill[a.indices[e]]++;
      indices[at] = r;
      values[at] = a.values[e];
    }
  }
  return { rows: a.cols, cols: a.rows, indptr, indices, values };
}

/**
 * Aᵀ X without forming Aᵀ, scattering each row of X into the rows of the result. For repeated products
 * (power iterations) `spmm(transposeSparse(a), x)` is faster: it gathers instead of scattering.
 */
export function spmmT(a: SparseMatrix, x: Mat): Mat {
  if (a.rows !== x.rows) throw new RangeError(`spmmT: (${a.rows}x${a.cols})ᵀ times ${x.rows}x${x.cols}`);
  const k = x.cols;
  const y = zeros(a.cols, k);
  const X = x.data, Y = y.data, { indptr, indices, values } = a;
  for (let r = 0; r < a.rows; r++) {
    const xr = r * k;
    for (let e = indptr[r]; e < indptr[r + 1]; e++) {
      const s = values[e], yr = indices[e] * k;
      for (let j = 0; j < k; j++) Y[yr + j] += s * X[xr + j];
    }
  }
  return y;
}
