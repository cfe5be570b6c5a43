import { arity, type Op, size } from './op.js';
import { randMat } from './sample.js';

export const exp: Op = {
  name: 'exp',
  outShape(s) {
    arity('exp', s, 1);
    return s[0];
  },
  forward: (k, [x], y) => k.exp(x.data, y.data, size(y)),
  backward(k, _xs, y, dy, [dx]) {
    if (dx) k.mulAdd(dy.data, y.data, dx.data, size(dy));
  },
  sample: (rng) => ({ inputs: [randMat(rng, 3, 4)], attrs: undefined }),
};
