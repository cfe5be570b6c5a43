import * as F from '../../tensor/fn.js';
import { scalarKernels } from '../../tensor/kernels/scalar.js';
import type { Kernels } from '../../tensor/kernels/types.js';
import {
  bipartiteAdjacency, type CsrPattern, dropEntries, mirrorIndex, type SparseMat, type SparseOperand, sparseNnz,
  sparseOperand, transposeSparse,
} from '../../tensor/sparse.js';
import type { Node, Tape } from '../../tensor/tape.js';
import { sharedF32, sharedI32 } from '../../tensor/tensor.js';
import type { Rng } from '../../util/rng.js';

/**
 * Pieces shared by the graph models (LightGCN, WeightedGCL, PolyCF's embedding branch): the normalised
 * bipartite adjacency, per-forward edge dropout into reused buffers, layer propagation and combination, and
 * the user / item halves of a stacked (U+I) × d table.
 */
export interface Graph {
  readonly numUsers: number;
  readonly numItems: number;
  /** Â = D^-1/2 A D^-1/2 over [[0, R], [Rᵀ, 0]] (no self-loops) with its transpose. */
  readonly full: SparseOperand;
  /** Row index lists 0..U-1 and U..U+I-1, to split a stacked table. */
  readonly userRows: Int32Array;
  readonly itemRows: Int32Array;
}

export function createGraph(train: CsrPattern): Graph {
  const nu = train.rows, ni = train.cols;
  const userRows = new Int32Array(nu), itemRows = new Int32Array(ni);
  for (let u = 0; u < nu; u++) userRows[u] = u;
  for (let i = 0; i < ni; i++) itemRows[i] = nu + i;
  return { numUsers: nu, numItems: ni, full: sparseOperand(bipartiteAdjacency(train, 'sym')), userRows, itemRows };
}

/**
 * SSLRec's SpAdjEdgeDrop, once per forward: every stored entry of Â survives with probability `keep`, no
 * rescaling. The result and its transpose are written into buffers allocated once; an operand handed out is
 * valid until the next call (a training step records and back-propagates within one call's lifetime).
 *
 * For a structurally symmetric Â with sorted rows (the bipartite adjacency) the draws go into a keep mask and,
 * through the mirror index, into the transpose's mask in the same loop, and the kernel table builds the
 * matrix and its transpose from them (two threads can build one each); the result equals dropEntries +
 * transposeSparse for the same rng state, which other matrices still use.
 */
export function createEdgeDropper(adj: SparseMat, keep: number, kernels: Pick<Kernels, 'keepEntries'> = scalarKernels): (rng: Rng) => SparseOperand {
  if (keep >= 1) {
    const full = sparseOperand(adj);
    return () => full;
  }
  const nnz = sparseNnz(adj);
  const a: SparseMat = { rows: adj.rows, cols: adj.cols, indptr: sharedI32(adj.rows + 1), indices: sharedI32(nnz), values: sharedF32(nnz) };
  const t: SparseMat = { rows: adj.cols, cols: adj.rows, indptr: sharedI32(adj.cols + 1), indices: sharedI32(nnz), values: sharedF32(nnz) };
  const op: SparseOperand = { a, t };
  const mirror = symmetricMirror(adj);
  if (mirror === null) {
    return (rng) => {
      dropEntries(adj, keep, rng, a);
      transposeSparse(a, t);
      return op;
    };
  }
  // The transpose's values in the pattern's storage order: row r of Âᵀ reads the entries of row r of Â
  // with their mirrors' values.
  const tValues = sharedF32(nnz);
  for (let k = 0; k < nnz; k++) tValues[k] = adj.values[mirror[k]];
  const mask = new Uint8Array(new SharedArrayBuffer(nnz)), maskT = new Uint8Array(new SharedArrayBuffer(nnz));
  return (rng) => {
    // One draw per stored entry in storage order, the same stream dropEntries consumes.
    for (let k = 0; k < nnz; k++) {
      const b = rng.next() < keep ? 1 : 0;
      mask[k] = b;
      maskT[mirror[k]] = b;
    }
    kernels.keepEntries(adj, tValues, mask, maskT, a, t);
    return op;
  };
}

/** mirrorIndex of a square matrix, or null when the pattern is not symmetric with sorted rows. */
function symmetricMirror(adj: SparseMat): Int32Array | null {
  if (adj.rows !== adj.cols) return null;
  try {
    return mirrorIndex(adj);
  } catch {
    return null;
  }
}

/** [E⁰, Â E⁰, Â² E⁰, …] with `layers` propagations. */
export function propagate(t: Tape, adj: SparseOperand, e0: Node, layers: number): Node[] {
  const out = [e0];
  for (let l = 0; l < layers; l++) out.push(F.spmm(t, adj, out[l]));
  return out;
}

/** Sum or mean of the given layer nodes (summed in order in one pass, so the float result is fixed). */
export function combineLayers(t: Tape, layers: readonly Node[], mode: 'sum' | 'mean'): Node {
  if (layers.length === 0) throw new RangeError('combineLayers: no layers');
  if (layers.length === 1) return layers[0];
  const acc = F.addN(t, layers);
  return mode === 'mean' ? F.scale(t, acc, 1 / layers.length) : acc;
}

/**
 * The user and item halves of a stacked table, as row views (no copies; their gradients land in the
 * table's gradient). Same values as gathering rows 0..U-1 and U..U+I-1.
 */
export function splitUsersItems(t: Tape, g: Graph, all: Node): { users: Node; items: Node } {
  return { users: t.rowsView(all, 0, g.numUsers), items: t.rowsView(all, g.numUsers, g.numItems) };
}

/**
 * Copy a node's final user and item rows out of a tape into fresh shared buffers (a frozen scorer must not
 * change when training continues).
 */
export function detachRows(t: Tape, node: Node, from: number, rows: number): Float32Array {
  const v = t.value(node);
  const out = sharedF32(rows * v.cols);
  out.set(v.data.subarray(from * v.cols, (from + rows) * v.cols));
  return out;
}
