import { arity, type Op, SCALAR, size } from './op.js';
import { randMat } from './sample.js';

/**
 * 1 × 1: ‖x‖_F = sqrt(Σ x²), RecBole's EmbLoss without `require_pow` (WeightedGCL's regulariser sums these
 * norms of the batch's ego embeddings). The gradient x / ‖x‖ is taken as 0 at x = 0.
 */
export const frobeniusNorm: Op = {
  name: 'frobeniusNorm',
  outShape(s) {
    arity('frobeniusNorm', s, 1);
    return SCALAR;
  },
  forward(k, [x], y) {
    y.data[0] = Math.sqrt(k.sumSquares(x.data, size(x)));
  },
  backward(k, [x], y, dy, [dx]) {
    if (dx && y.data[0] > 0) k.axpy(dy.data[0] / y.data[0], x.data, dx.data, size(x));
  },
  sample: (rng) => ({ inputs: [randMat(rng, 4, 3)], attrs: undefined }),
};
