import { arity, type Op } from './op.js';
import { randMat } from './sample.js';

/** rows × 1: log Σ_j exp(x[i, j]), max-shifted. */
export const logSumExpRows: Op = {
  name: 'logSumExpRows',
  outShape(s) {
    arity('logSumExpRows', s, 1);
    return [s[0][0], 1];
  },
  forward: (k, [x], y) => k.logSumExpRows(x.data, y.data, x.rows, x.cols),
  backward(k, [x], y, dy, [dx]) {
    if (dx) k.logSumExpRowsGrad(x.data, y.data, dy.data, dx.data, x.rows, x.cols);
  },
  sample(rng) {
    const x = randMat(rng, 3, 5);
    for (let i = 0; i < x.data.length; i++) x.data[i] *= 3;
    return { inputs: [x], attrs: undefined };
  },
};
