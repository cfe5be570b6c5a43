import { arity, type Op, size } from './op.js';
import { randMat } from './sample.js';

export const tanh: Op = {
  name: 'tanh',
  outShape(s) {
    arity('tanh', s, 1);
    return s[0];
  },
  forward: (k, [x], y) => k.tanh(x.data, y.data, size(y)),
  backward(k, _xs, y, dy, [dx]) {
    if (dx) k.tanhGrad(y.data, dy.data, dx.data, size(dy));
  },
  sample: (rng) => ({ inputs: [randMat(rng, 3, 4)], attrs: undefined }),
};
