import { arity, check, type Op } from './op.js';
import { randMat } from './sample.js';

export interface SliceAttrs {
  readonly start: number;
  readonly width: number;
}

/** Columns [start, start + width) of x; splitting is several slices (see fn.ts splitCols). */
export const sliceCols: Op<SliceAttrs> = {
  name: 'sliceCols',
  outShape(s, { start, width }) {
    arity('sliceCols', s, 1);
    check(Number.isInteger(start) && Number.isInteger(width) && start >= 0 && width >= 0 && start + width <= s[0][1],
      'sliceCols', s, `columns [${start}, ${start + width}) out of range`);
    return [s[0][0], width];
  },
  forward: (k, [x], y, { start }) => k.copyCols(x.data, x.cols, start, y.data, y.cols, 0, y.rows, y.cols, false),
  backward(k, [x], y, dy, [dx], { start }) {
    if (dx) k.copyCols(dy.data, dy.cols, 0, dx.data, x.cols, start, y.rows, y.cols, true);
  },
  sample: (rng) => ({ inputs: [randMat(rng, 3, 7)], attrs: { start: 2, width: 3 } }),
};
