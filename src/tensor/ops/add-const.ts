import { arity, type Op, size } from './op.js';
import { randMat } from './sample.js';

export interface AddConstAttrs {
  readonly c: number;
}

/** x + c for a constant c (e.g. the 1e-8 guards inside RLMRec's ssl_con_loss). */
export const addConst: Op<AddConstAttrs> = {
  name: 'addConst',
  outShape(s) {
    arity('addConst', s, 1);
    return s[0];
  },
  forward(k, [x], y, { c }) {
    k.scale(x.data, 1, y.data, size(y));
    k.addScalar(y.data, c, size(y));
  },
  backward(k, _xs, _y, dy, [dx]) {
    if (dx) k.axpy(1, dy.data, dx.data, size(dy));
  },
  sample: (rng) => ({ inputs: [randMat(rng, 2, 3)], attrs: { c: 0.75 } }),
};
