import { arity, type Op } from './op.js';
import { randMat } from './sample.js';

/** Row-wise log-softmax x − logsumexp(x), max-shifted (cross-entropy and distillation terms). */
export const logSoftmaxRows: Op = {
  name: 'logSoftmaxRows',
  outShape(s) {
    arity('logSoftmaxRows', s, 1);
    return s[0];
  },
  forward: (k, [x], y) => k.logSoftmaxRows(x.data, y.data, x.rows, x.cols),
  backward(k, _xs, y, dy, [dx]) {
    if (dx) k.logSoftmaxRowsGrad(y.data, dy.data, dx.data, y.rows, y.cols);
  },
  sample(rng) {
    const x = randMat(rng, 3, 6);
    for (let i = 0; i < x.data.length; i++) x.data[i] *= 3;
    return { inputs: [x], attrs: undefined };
  },
};
