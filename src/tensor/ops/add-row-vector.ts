import { arity, check, type Op, size } from './op.js';
import { randMat } from './sample.js';

/** x + v with the 1 × cols row vector v broadcast over rows (a bias). */
export const addRowVector: Op = {
  name: 'addRowVector',
  outShape(s) {
    arity('addRowVector', s, 2);
    check(s[1][0] === 1 && s[1][1] === s[0][1], 'addRowVector', s, 'second input must be 1 x cols of the first');
    return s[0];
  },
  forward: (k, [x, v], y) => k.addRowVector(x.data, v.data, y.data, x.rows, x.cols),
  backward(k, _xs, _y, dy, [dx, dv]) {
    if (dx) k.axpy(1, dy.data, dx.data, size(dy));
    if (dv) k.colSumsAdd(dy.data, dv.data, dy.rows, dy.cols);
  },
  sample: (rng) => ({ inputs: [randMat(rng, 5, 3), randMat(rng, 1, 3)], attrs: undefined }),
};
