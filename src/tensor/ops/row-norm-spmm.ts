import type { Arr } from '../tensor.js';
import { dotAt, permute } from './edge-dot.js';
import { edgeCount, type EdgePattern, randomPattern, withValues } from './edge-pattern.js';
import { arity, check, type Op } from './op.js';
import { randMat } from './sample.js';

/**
 * y = Ã x with Ã the row-normalised (random-walk) matrix of per-entry weights w (nnz × 1, a tape node):
 * Ã_k = w_k / s_r, s_r = Σ_{k in row r} w_k (method.md §B.3, IRLLRec's motivation-aware propagation). A row
 * whose weights sum to 0 (no entries) gives a zero output row and no gradient.
 *
 * Backward: dx += Ãᵀ dy (sparse product with the transpose), dw_k += (dy_r · x_{c_k} − dy_r · y_r) / s_r.
 * Scratch keeps Ã and s from forward.
 */
export const rowNormSpmm: Op<EdgePattern> = {
  name: 'rowNormSpmm',
  outShape(s, p) {
    arity('rowNormSpmm', s, 2);
    check(s[0][0] === edgeCount(p) && s[0][1] === 1, 'rowNormSpmm', s, `weights must be ${edgeCount(p)}x1`);
    check(s[1][0] === p.cols, 'rowNormSpmm', s, `x must have ${p.cols} rows`);
    return [p.rows, s[1][1]];
  },
  scratch: (_s, p) => 2 * edgeCount(p) + 2 * p.rows,
  forward(k, [w, x], y, p, scratch) {
    const { norm, rowSum } = layout(scratch, p);
    const wd = w.data, indptr = p.indptr;
    for (let r = 0; r < p.rows; r++) {
      let s = 0;
      for (let e = indptr[r], end = indptr[r + 1]; e < end; e++) s += wd[e];
      rowSum[r] = s;
      for (let e = indptr[r], end = indptr[r + 1]; e < end; e++) norm[e] = s === 0 ? 0 : wd[e] / s;
    }
    k.spmm(withValues(p, norm), x.data, y.data, x.cols, false);
  },
  backward(k, [, x], y, dy, [dw, dx], p, scratch) {
    const { norm, normT, rowSum, q } = layout(scratch, p);
    const d = x.cols;
    if (dx) {
      permute(norm, p.perm, normT);
      k.spmm(withValues(p, normT, true), dy.data, dx.data, d, true);
    }
    if (dw) {
      k.rowDot(dy.data, y.data, q, p.rows, d);
      const xd = x.data, g = dy.data, out = dw.data, indptr = p.indptr, indices = p.indices;
      for (let r = 0; r < p.rows; r++) {
        const s = rowSum[r];
        if (s === 0) continue;
        const go = r * d;
        for (let e = indptr[r], end = indptr[r + 1]; e < end; e++) out[e] += (dotAt(g, go, xd, indices[e] * d, d) - q[r]) / s;
      }
    }
  },
  sample(rng) {
    const p = randomPattern(rng, 5, 4, 0.5);
    const w = randMat(rng, edgeCount(p), 1);
    for (let i = 0; i < w.data.length; i++) w.data[i] = 0.5 + Math.abs(w.data[i]);
    return { inputs: [w, randMat(rng, 4, 3)], attrs: p };
  },
};

function layout(s: Arr, p: EdgePattern): { norm: Arr; normT: Arr; rowSum: Arr; q: Arr } {
  const nnz = edgeCount(p);
  return {
    norm: s.subarray(0, nnz), normT: s.subarray(nnz, 2 * nnz),
    rowSum: s.subarray(2 * nnz, 2 * nnz + p.rows), q: s.subarray(2 * nnz + p.rows, 2 * nnz + 2 * p.rows),
  };
}
