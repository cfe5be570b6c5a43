import { arity, type Op } from './op.js';
import { randMat } from './sample.js';

/** rows × 1: Σ_j x[i, j] (divide by cols with `scale` for a row mean). */
export const sumRows: Op = {
  name: 'sumRows',
  outShape(s) {
    arity('sumRows', s, 1);
    return [s[0][0], 1];
  },
  forward: (k, [x], y) => k.sumRows(x.data, y.data, x.rows, x.cols),
  backward(k, [x], _y, dy, [dx]) {
    if (dx) k.addRowScalars(dy.data, dx.data, x.rows, x.cols);
  },
  sample: (rng) => ({ inputs: [randMat(rng, 4, 5)], attrs: undefined }),
};
