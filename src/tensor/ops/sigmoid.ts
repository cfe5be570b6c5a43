import { arity, type Op, size } from './op.js';
import { randMat } from './sample.js';

export const sigmoid: Op = {
  name: 'sigmoid',
  outShape(s) {
    arity('sigmoid', s, 1);
    return s[0];
  },
  forward: (k, [x], y) => k.sigmoid(x.data, y.data, size(y)),
  backward(k, _xs, y, dy, [dx]) {
    if (dx) k.sigmoidGrad(y.data, dy.data, dx.data, size(dy));
  },
  sample(rng) {
    const x = randMat(rng, 3, 4);
    for (let i = 0; i < x.data.length; i++) x.data[i] *= 4;
    return { inputs: [x], attrs: undefined };
  },
};
