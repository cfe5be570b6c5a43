import { arity, check, type Op } from './op.js';
import { randMat } from './sample.js';

export interface MatmulAttrs {
  readonly transA: boolean;
  readonly transB: boolean;
}

/**
 * op(A) · op(B) through the kernel table's GEMM. Backward, for C = op(A) op(B):
 *   d op(A) = dC · op(B)ᵀ and d op(B) = op(A)ᵀ · dC, each written in A's / B's storage layout by choosing the
 *   GEMM transposes, and added with GEMM's accumulate flag.
 */
export const matmul: Op<MatmulAttrs> = {
  name: 'matmul',
  outShape(s, { transA, transB }) {
    arity('matmul', s, 2);
    const [ar, ac] = transA ? [s[0][1], s[0][0]] : s[0];
    const [br, bc] = transB ? [s[1][1], s[1][0]] : s[1];
    check(ac === br, 'matmul', s, `inner dimensions differ (${ac} vs ${br}, transA=${transA}, transB=${transB})`);
    return [ar, bc];
  },
  forward(k, [a, b], y, { transA, transB }) {
    k.gemm(a.data, b.data, y.data, y.rows, transA ? a.rows : a.cols, y.cols, transA, transB, false);
  },
  backward(k, [a, b], y, dy, [da, db], { transA, transB }) {
    const m = y.rows, n = y.cols, kk = transA ? a.rows : a.cols;
    if (da) {
      // A stored m×k: dA = dC·op(B)ᵀ. A stored k×m (transA): dA = op(B)·dCᵀ.
      if (!transA) k.gemm(dy.data, b.data, da.data, m, n, kk, false, !transB, true);
      else k.gemm(b.data, dy.data, da.data, kk, n, m, transB, true, true);
    }
    if (db) {
      // B stored k×n: dB = op(A)ᵀ·dC. B stored n×k (transB): dB = dCᵀ·op(A).
      if (!transB) k.gemm(a.data, dy.data, db.data, kk, m, n, !transA, false, true);
      else k.gemm(dy.data, a.data, db.data, n, m, kk, true, transA, true);
    }
  },
  sample: (rng) => ({ inputs: [randMat(rng, 3, 5), randMat(rng, 4, 5)], attrs: { transA: false, transB: true } }),
};
