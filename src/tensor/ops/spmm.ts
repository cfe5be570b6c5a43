import type { Rng } from '../../util/rng.js';
import { type SparseMat, type SparseOperand, transposeSparse } from '../sparse.js';
import { arity, check, type Op } from './op.js';
import { randMat } from './sample.js';

/** A · x for a constant sparse A; backward multiplies by the stored transpose (dx += Aᵀ dy). */
export const spmm: Op<SparseOperand> = {
  name: 'spmm',
  outShape(s, { a, t }) {
    arity('spmm', s, 1);
    check(s[0][0] === a.cols, 'spmm', s, `input has ${s[0][0]} rows, sparse matrix has ${a.cols} columns`);
    check(t.rows === a.cols && t.cols === a.rows, 'spmm', s, 'transpose has the wrong shape');
    return [a.rows, s[0][1]];
  },
  forward: (k, [x], y, { a }) => k.spmm(a, x.data, y.data, x.cols, false),
  backward(k, _xs, _y, dy, [dx], { t }) {
    if (dx) k.spmm(t, dy.data, dx.data, dy.cols, true);
  },
  sample(rng) {
    const a = randomSparse(rng, 5, 4, 0.5);
    return { inputs: [randMat(rng, 4, 3)], attrs: { a, t: transposeSparse(a) } };
  },
};

/** A random non-symmetric sparse matrix with signed weights (exercises the transpose path). */
function randomSparse(rng: Rng, rows: number, cols: number, density: number): SparseMat {
  const indptr = new Int32Array(rows + 1), idx: number[] = [], vals: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (rng.next() < density) {
        idx.push(j);
        vals.push(2 * rng.next() - 1);
      }
    }
    indptr[i + 1] = idx.length;
  }
  return { rows, cols, indptr, indices: Int32Array.from(idx), values: Float32Array.from(vals) };
}
