import { arity, type Op, size } from './op.js';
import { randMat } from './sample.js';

export interface ScaleAttrs {
  readonly s: number;
}

/** s · x for a constant s. */
export const scale: Op<ScaleAttrs> = {
  name: 'scale',
  outShape(s) {
    arity('scale', s, 1);
    return s[0];
  },
  forward: (k, [x], y, { s }) => k.scale(x.data, s, y.data, size(y)),
  backward(k, _xs, _y, dy, [dx], { s }) {
    if (dx) k.axpy(s, dy.data, dx.data, size(dy));
  },
  sample: (rng) => ({ inputs: [randMat(rng, 2, 7)], attrs: { s: -1.7 } }),
};
