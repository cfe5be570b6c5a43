/**
 * Compressed sparse rows of a 0/1 interaction matrix. Rows are users (or items for the transpose); each row's
 * column indices are sorted ascending and unique, which the evaluator and negative sampler rely on.
 */
export interface Csr {
  readonly rows: number;
  readonly cols: number;
  /** rows + 1 offsets into `indices`. */
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
}

/** Number of stored entries. */
export function nnz(m: Csr): number {
  return m.indptr[m.rows];
}

/** Columns of row r (a view, not a copy). */
export function rowOf(m: Csr, r: number): Int32Array {
  return m.indices.subarray(m.indptr[r], m.indptr[r + 1]);
}

/** Binary search in a sorted row. */
export function hasEntry(m: Csr, r: number, c: number): boolean {
  let lo = m.indptr[r], hi = m.indptr[r + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = m.indices[mid];
    if (v === c) return true;
    if (v < c) lo = mid + 1; else hi = mid - 1;
  }
  return false;
}

/**
 * Build from parallel (row, col) arrays. Duplicates are the caller's problem to report (readers name the
 * offending line); here they are rejected so no code path silently collapses them.
 */
export function csrFromPairs(rows: number, cols: number, r: Int32Array, c: Int32Array): Csr {
  const indptr = new Int32Array(rows + 1);
  for (let k = 0; k < r.length; k++) indptr[r[k] + 1]++;
  for (let i = 0; i < rows; i++) indptr[i + 1] += indptr[i];
  const fill = indptr.slice(0, rows);
  const indices = new Int32Array(r.length);
  for (let k = 0; k < r.length; k++) indices[fill[r[k]]++] = c[k];
  for (let i = 0; i < rows; i++) {
    const row = indices.subarray(indptr[i], indptr[i + 1]);
    row.sort();
    for (let k = 1; k < row.length; k++) {
      if (row[k] === row[k - 1]) throw new RangeError(`duplicate entry (${i}, ${row[k]})`);
    }
  }
  return { rows, cols, indptr, indices };
}

/** Transpose (item → user); output rows are sorted because rows are visited in order. */
export function transpose(m: Csr): Csr {
  const indptr = new Int32Array(m.cols + 1);
  for (let k = 0; k < nnz(m); k++) indptr[m.indices[k] + 1]++;
  for (let i = 0; i < m.cols; i++) indptr[i + 1] += indptr[i];
  const fill = indptr.slice(0, m.cols);
  const indices = new Int32Array(nnz(m));
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) indices[fill[m.indices[k]]++] = r;
  }
  return { rows: m.cols, cols: m.rows, indptr, indices };
}

/** (row, col) pairs in row-major order. */
export function toPairs(m: Csr): { r: Int32Array; c: Int32Array } {
  const r = new Int32Array(nnz(m));
  for (let i = 0; i < m.rows; i++) r.fill(i, m.indptr[i], m.indptr[i + 1]);
  return { r, c: m.indices.slice() };
}
