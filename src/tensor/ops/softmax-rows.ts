import { arity, type Op } from './op.js';
import { randMat } from './sample.js';

/** Row-wise softmax. The scratch holds each row's log-sum-exp (written by the kernel, unused by backward). */
export const softmaxRows: Op = {
  name: 'softmaxRows',
  outShape(s) {
    arity('softmaxRows', s, 1);
    return s[0];
  },
  scratch: ([x]) => x[0],
  forward: (k, [x], y, _a, lse) => k.softmaxRows(x.data, y.data, lse, x.rows, x.cols, 1),
  backward(k, _xs, y, dy, [dx]) {
    if (dx) k.softmaxRowsGrad(y.data, dy.data, dx.data, y.rows, y.cols);
  },
  sample: (rng) => ({ inputs: [randMat(rng, 3, 5)], attrs: undefined }),
};
