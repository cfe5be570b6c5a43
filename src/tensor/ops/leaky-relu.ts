import { arity, type Op, size } from './op.js';
import { randMat } from './sample.js';

export interface LeakyReluAttrs {
  /** Negative-side slope; torch.nn.LeakyReLU's default is 0.01. */
  readonly slope: number;
}

export const leakyRelu: Op<LeakyReluAttrs> = {
  name: 'leakyRelu',
  outShape(s) {
    arity('leakyRelu', s, 1);
    return s[0];
  },
  forward: (k, [x], y, { slope }) => k.leakyRelu(x.data, y.data, size(y), slope),
  backward(k, [x], _y, dy, [dx], { slope }) {
    if (dx) k.leakyReluGrad(x.data, dy.data, dx.data, size(dy), slope);
  },
  sample: (rng) => ({ inputs: [randMat(rng, 4, 5, 0.05)], attrs: { slope: 0.2 } }),
};
