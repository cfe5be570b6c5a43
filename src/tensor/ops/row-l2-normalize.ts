import { arity, type Op } from './op.js';
import { randMat } from './sample.js';

export interface NormalizeAttrs {
  /** Added under the square root: y = x / sqrt(‖x‖² + eps), RLMRec's form with eps = 1e-8. */
  readonly eps: number;
}

/**
 * Row L2 normalisation as RLMRec/IRLLRec write it: `x / sqrt(eps + (x**2).sum(-1))`. We chose this over
 * x / max(‖x‖, eps) (F.normalize) and x / (‖x‖ + eps): it is the form the reproduced losses use, and it is
 * smooth everywhere, so the gradient check needs no special case at zero rows.
 */
export const rowL2Normalize: Op<NormalizeAttrs> = {
  name: 'rowL2Normalize',
  outShape(s) {
    arity('rowL2Normalize', s, 1);
    return s[0];
  },
  scratch: ([x]) => x[0],
  forward: (k, [x], y, { eps }, norms) => k.rowL2Normalize(x.data, y.data, norms, x.rows, x.cols, eps),
  backward(k, _xs, y, dy, [dx], _a, norms) {
    if (dx) k.rowL2NormalizeGrad(y.data, norms, dy.data, dx.data, y.rows, y.cols);
  },
  sample: (rng) => ({ inputs: [randMat(rng, 4, 6)], attrs: { eps: 1e-8 } }),
};
