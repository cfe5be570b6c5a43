import { arity, check, type Op } from './op.js';
import { randMat } from './sample.js';

/** rows × 1: x[i, :] · y[i, :] (pair scores). */
export const rowDot: Op = {
  name: 'rowDot',
  outShape(s) {
    arity('rowDot', s, 2);
    check(s[0][0] === s[1][0] && s[0][1] === s[1][1], 'rowDot', s, 'shapes differ');
    return [s[0][0], 1];
  },
  forward: (k, [a, b], y) => k.rowDot(a.data, b.data, y.data, a.rows, a.cols),
  backward(k, [a, b], _y, dy, [da, db]) {
    if (da) k.rowScaleAdd(dy.data, b.data, da.data, a.rows, a.cols);
    if (db) k.rowScaleAdd(dy.data, a.data, db.data, a.rows, a.cols);
  },
  sample: (rng) => ({ inputs: [randMat(rng, 4, 3), randMat(rng, 4, 3)], attrs: undefined }),
};
