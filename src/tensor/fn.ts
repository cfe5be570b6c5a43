import { addN as addNOp } from './ops/add-n.js';
import { OPS } from './ops/index.js';
import type { EdgePattern } from './ops/edge-pattern.js';
import type { SparseOperand } from './sparse.js';
import type { Node, Recorder } from './tape.js';

/**
 * One-line wrappers over `tape.run(OPS.x, …)`, so model code reads as math:
 *   const e1 = spmm(t, adj, e0); const loss = add(t, bprLoss(t, u, p, q), scale(t, sumSquares(t, w), 1e-6));
 */

export const add = (t: Recorder, a: Node, b: Node): Node => t.run(OPS.add, [a, b], undefined);
/** x0 + x1 + … in one pass, with the same values as a chain of `add`s. */
export const addN = (t: Recorder, xs: readonly Node[]): Node => t.run(addNOp, xs, undefined);
export const sub = (t: Recorder, a: Node, b: Node): Node => t.run(OPS.sub, [a, b], undefined);
export const mul = (t: Recorder, a: Node, b: Node): Node => t.run(OPS.mul, [a, b], undefined);
export const div = (t: Recorder, a: Node, b: Node): Node => t.run(OPS.div, [a, b], undefined);
export const scale = (t: Recorder, x: Node, s: number): Node => t.run(OPS.scale, [x], { s });
export const addConst = (t: Recorder, x: Node, c: number): Node => t.run(OPS.addConst, [x], { c });
export const exp = (t: Recorder, x: Node): Node => t.run(OPS.exp, [x], undefined);
export const log = (t: Recorder, x: Node): Node => t.run(OPS.log, [x], undefined);
export const addRowVector = (t: Recorder, x: Node, v: Node): Node => t.run(OPS.addRowVector, [x, v], undefined);

/** op(a) · op(b). */
export const matmul = (t: Recorder, a: Node, b: Node, transA = false, transB = false): Node =>
  t.run(OPS.matmul, [a, b], { transA, transB });

/** A · x for a sparse operand built with sparseOperand() (it carries the transpose for backward). */
export const spmm = (t: Recorder, adj: SparseOperand, x: Node): Node => t.run(OPS.spmm, [x], adj);

export const gatherRows = (t: Recorder, x: Node, index: Int32Array): Node => t.run(OPS.gatherRows, [x], { index });
export const scatterAddRows = (t: Recorder, x: Node, index: Int32Array, rows: number): Node =>
  t.run(OPS.scatterAddRows, [x], { index, rows });

/** Default slope 0.01, torch.nn.LeakyReLU's. */
export const leakyRelu = (t: Recorder, x: Node, slope = 0.01): Node => t.run(OPS.leakyRelu, [x], { slope });
export const relu = (t: Recorder, x: Node): Node => t.run(OPS.relu, [x], undefined);
export const sigmoid = (t: Recorder, x: Node): Node => t.run(OPS.sigmoid, [x], undefined);
export const tanh = (t: Recorder, x: Node): Node => t.run(OPS.tanh, [x], undefined);

/** x / sqrt(‖x‖² + eps) per row (RLMRec's form). */
export const rowL2Normalize = (t: Recorder, x: Node, eps = 1e-8): Node => t.run(OPS.rowL2Normalize, [x], { eps });
export const logSumExpRows = (t: Recorder, x: Node): Node => t.run(OPS.logSumExpRows, [x], undefined);
export const softmaxRows = (t: Recorder, x: Node): Node => t.run(OPS.softmaxRows, [x], undefined);
export const logSoftmaxRows = (t: Recorder, x: Node): Node => t.run(OPS.logSoftmaxRows, [x], undefined);

export const concatCols = (t: Recorder, xs: readonly Node[]): Node => t.run(OPS.concatCols, xs, undefined);
export const sliceCols = (t: Recorder, x: Node, start: number, width: number): Node =>
  t.run(OPS.sliceCols, [x], { start, width });

/** Split columns into consecutive blocks of the given widths. */
export function splitCols(t: Recorder, x: Node, widths: readonly number[]): Node[] {
  let start = 0;
  return widths.map((width) => {
    const n = sliceCols(t, x, start, width);
    start += width;
    return n;
  });
}

export const sum = (t: Recorder, x: Node): Node => t.run(OPS.sum, [x], undefined);
export const mean = (t: Recorder, x: Node): Node => t.run(OPS.mean, [x], undefined);
export const sumSquares = (t: Recorder, x: Node): Node => t.run(OPS.sumSquares, [x], undefined);
/** rows × 1 row sums. */
export const sumRows = (t: Recorder, x: Node): Node => t.run(OPS.sumRows, [x], undefined);
export const rowDot = (t: Recorder, a: Node, b: Node): Node => t.run(OPS.rowDot, [a, b], undefined);

/** Mean over the batch of softplus(u·q − u·p). */
export const bprLoss = (t: Recorder, u: Node, p: Node, q: Node): Node => t.run(OPS.bprLoss, [u, p, q], undefined);

/**
 * Batch-summed InfoNCE of RLMRec (method.md §B.4): a against positives b with candidate set c (which must
 * contain the positives). Divide by |B| yourself.
 */
export const infoNce = (t: Recorder, a: Node, b: Node, c: Node, temperature: number, eps = 1e-8): Node =>
  t.run(OPS.infoNce, [a, b, c], { temperature, eps });

/** infoNce on the first `rows` rows of a, b and c (equal shapes; the rest is padding and gets no gradient). */
export const infoNcePrefix = (t: Recorder, a: Node, b: Node, c: Node, rows: number, temperature: number, eps = 1e-8): Node =>
  t.run(OPS.infoNcePrefix, [a, b, c], { temperature, eps, rows });

/** a[r_k] · b[c_k] for every stored entry k of the pattern (nnz × 1): per-edge similarities. */
export const edgeDot = (t: Recorder, a: Node, b: Node, p: EdgePattern): Node => t.run(OPS.edgeDot, [a, b], p);

/** Ã x with Ã_k = w_k / (row sum of w): propagation over a row-normalised adjacency with learned edge weights. */
export const rowNormSpmm = (t: Recorder, w: Node, x: Node, p: EdgePattern): Node => t.run(OPS.rowNormSpmm, [w, x], p);
/** rowL2Normalize(softmaxRows(e p) pᵀ) in one op (ops/prototype-readout.ts). */
export const prototypeReadout = (t: Recorder, e: Node, p: Node, eps = 1e-8): Node => t.run(OPS.prototypeReadout, [e, p], { eps });
