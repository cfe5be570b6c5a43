import { arity, type Op, SCALAR, size } from './op.js';
import { randMat } from './sample.js';

/** 1 × 1: Σ x. */
export const sum: Op = {
  name: 'sum',
  outShape(s) {
    arity('sum', s, 1);
    return SCALAR;
  },
  forward(k, [x], y) {
    y.data[0] = k.sum(x.data, size(x));
  },
  backward(k, [x], _y, dy, [dx]) {
    if (dx) k.addScalar(dx.data, dy.data[0], size(x));
  },
  sample: (rng) => ({ inputs: [randMat(rng, 3, 4)], attrs: undefined }),
};
