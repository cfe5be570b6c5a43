import { arity, type Op, size } from './op.js';
import { randMat } from './sample.js';

export const relu: Op = {
  name: 'relu',
  outShape(s) {
    arity('relu', s, 1);
    return s[0];
  },
  forward: (k, [x], y) => k.relu(x.data, y.data, size(y)),
  backward(k, [x], _y, dy, [dx]) {
    if (dx) k.reluGrad(x.data, dy.data, dx.data, size(dy));
  },
  sample: (rng) => ({ inputs: [randMat(rng, 4, 5, 0.05)], attrs: undefined }),
};
