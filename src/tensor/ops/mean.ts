import { arity, type Op, SCALAR, size } from './op.js';
import { randMat } from './sample.js';

/** 1 × 1: mean of all entries (NaN for an empty input, as in PyTorch). */
export const mean: Op = {
  name: 'mean',
  outShape(s) {
    arity('mean', s, 1);
    return SCALAR;
  },
  forward(k, [x], y) {
    y.data[0] = k.sum(x.data, size(x)) / size(x);
  },
  backward(k, [x], _y, dy, [dx]) {
    if (dx) k.addScalar(dx.data, dy.data[0] / size(x), size(x));
  },
  sample: (rng) => ({ inputs: [randMat(rng, 5, 2)], attrs: undefined }),
};
