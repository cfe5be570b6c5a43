import type { Rng } from '../../util/rng.js';
import type { CsrPattern, SparseMat } from '../sparse.js';
import { toSharedI32 } from '../tensor.js';

/**
 * The index structure of a sparse matrix whose stored values come from a tape node (one value per stored
 * entry, nnz × 1): the edge ops `edgeDot` and `rowNormSpmm` use it. It carries its transpose and the
 * permutation between the two storage orders, so backward can multiply by the transpose without sorting.
 * All arrays live in shared memory (the worker kernels read them without copies).
 */
export interface EdgePattern {
  readonly rows: number;
  readonly cols: number;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  /** CSR of the transpose: entries of column c in increasing row order. */
  readonly tIndptr: Int32Array;
  readonly tIndices: Int32Array;
  /** perm[kT] = k: the entry of this pattern stored at position kT of the transpose. */
  readonly perm: Int32Array;
}

export function edgeCount(p: EdgePattern): number {
  return p.indptr[p.rows];
}

/** The edge pattern of a CSR (all of its stored entries). */
export function edgePattern(p: CsrPattern): EdgePattern {
  const nnz = p.indptr[p.rows];
  const tIndptr = new Int32Array(p.cols + 1), tIndices = new Int32Array(nnz), perm = new Int32Array(nnz);
  for (let k = 0; k < nnz; k++) tIndptr[p.indices[k] + 1]++;
  for (let c = 0; c < p.cols; c++) tIndptr[c + 1] += tIndptr[c];
  const cursor = tIndptr.slice(0, p.cols);
  for (let r = 0; r < p.rows; r++) {
    for (let k = p.indptr[r]; k < p.indptr[r + 1]; k++) {
      const dst = cursor[p.indices[k]]++;
      tIndices[dst] = r;
      perm[dst] = k;
    }
  }
  return {
    rows: p.rows, cols: p.cols,
    indptr: toSharedI32(p.indptr.slice(0, p.rows + 1)), indices: toSharedI32(p.indices.slice(0, nnz)),
    tIndptr: toSharedI32(tIndptr), tIndices: toSharedI32(tIndices), perm: toSharedI32(perm),
  };
}

/** The transposed pattern; its `perm` is the inverse permutation (entry kT of the transpose ↔ entry k here). */
export function transposePattern(p: EdgePattern): EdgePattern {
  const inverse = new Int32Array(p.perm.length);
  for (let kT = 0; kT < p.perm.length; kT++) inverse[p.perm[kT]] = kT;
  return {
    rows: p.cols, cols: p.rows, indptr: p.tIndptr, indices: p.tIndices, tIndptr: p.indptr, tIndices: p.indices,
    perm: toSharedI32(inverse),
  };
}

/**
 * The pattern with per-entry values, as the kernels' SparseMat. Values may be a float64 buffer in gradient
 * checks: the kernels accept either array type (style.md §2.1), the SparseMat type names only float32.
 */
export function withValues(p: EdgePattern, values: Float32Array | Float64Array, transposed = false): SparseMat {
  return transposed
    ? { rows: p.cols, cols: p.rows, indptr: p.tIndptr, indices: p.tIndices, values: values as Float32Array }
    : { rows: p.rows, cols: p.cols, indptr: p.indptr, indices: p.indices, values: values as Float32Array };
}

/** A random pattern for op samples, with the last row left empty (exercises zero-degree rows). */
export function randomPattern(rng: Rng, rows: number, cols: number, density: number): EdgePattern {
  const indptr = new Int32Array(rows + 1), idx: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols && i < rows - 1; j++) if (rng.next() < density || j === i % cols) idx.push(j);
    indptr[i + 1] = idx.length;
  }
  return edgePattern({ rows, cols, indptr, indices: Int32Array.from(idx) });
}
