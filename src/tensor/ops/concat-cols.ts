import { check, type Op } from './op.js';
import { randMat } from './sample.js';

/** [x₀ | x₁ | …] side by side; all inputs have the same number of rows. */
export const concatCols: Op = {
  name: 'concatCols',
  outShape(s) {
    check(s.length >= 1, 'concatCols', s, 'needs at least one input');
    let cols = 0;
    for (const [r, c] of s) {
      check(r === s[0][0], 'concatCols', s, 'row counts differ');
      cols += c;
    }
    return [s[0][0], cols];
  },
  forward(k, xs, y) {
    let off = 0;
    for (const x of xs) {
      k.copyCols(x.data, x.cols, 0, y.data, y.cols, off, y.rows, x.cols, false);
      off += x.cols;
    }
  },
  backward(k, xs, y, dy, dxs) {
    let off = 0;
    for (let i = 0; i < xs.length; i++) {
      const dx = dxs[i];
      if (dx) k.copyCols(dy.data, dy.cols, off, dx.data, dx.cols, 0, y.rows, dx.cols, true);
      off += xs[i].cols;
    }
  },
  sample: (rng) => ({ inputs: [randMat(rng, 3, 2), randMat(rng, 3, 1), randMat(rng, 3, 4)], attrs: undefined }),
};
