import { arity, type Op, size } from './op.js';
import { randMat } from './sample.js';

/** Natural log (NaN for negative entries, −Infinity at 0, as Math.log). */
export const log: Op = {
  name: 'log',
  outShape(s) {
    arity('log', s, 1);
    return s[0];
  },
  forward: (k, [x], y) => k.log(x.data, y.data, size(y)),
  backward(k, [x], _y, dy, [dx]) {
    if (dx) k.divGradA(x.data, dy.data, dx.data, size(dy));
  },
  sample(rng) {
    const x = randMat(rng, 3, 4, 0.2);
    for (let i = 0; i < x.data.length; i++) x.data[i] = Math.abs(x.data[i]);
    return { inputs: [x], attrs: undefined };
  },
};
