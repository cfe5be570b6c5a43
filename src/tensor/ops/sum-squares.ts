import { arity, type Op, SCALAR, size } from './op.js';
import { randMat } from './sample.js';

/** 1 × 1: Σ x² (L2 regularisation without a squared copy). */
export const sumSquares: Op = {
  name: 'sumSquares',
  outShape(s) {
    arity('sumSquares', s, 1);
    return SCALAR;
  },
  forward(k, [x], y) {
    y.data[0] = k.sumSquares(x.data, size(x));
  },
  backward(k, [x], _y, dy, [dx]) {
    if (dx) k.axpy(2 * dy.data[0], x.data, dx.data, size(x));
  },
  sample: (rng) => ({ inputs: [randMat(rng, 4, 3)], attrs: undefined }),
};
