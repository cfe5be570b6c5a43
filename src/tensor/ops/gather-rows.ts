import { arity, check, type Op } from './op.js';
import { randIndex, randMat } from './sample.js';

export interface GatherAttrs {
  readonly index: Int32Array;
}

/** out[i, :] = x[index[i], :] (embedding lookup); backward scatter-adds, so repeated indices accumulate. */
export const gatherRows: Op<GatherAttrs> = {
  name: 'gatherRows',
  outShape(s, { index }) {
    arity('gatherRows', s, 1);
    checkIndex('gatherRows', s[0][0], index);
    return [index.length, s[0][1]];
  },
  forward: (k, [x], y, { index }) => k.gatherRows(x.data, index, y.data, x.cols),
  backward(k, [x], _y, dy, [dx], { index }) {
    if (dx) k.scatterAddRows(dy.data, index, dx.data, x.cols);
  },
  sample: (rng) => ({ inputs: [randMat(rng, 6, 3)], attrs: { index: randIndex(rng, 9, 6) } }),
};

/** Every index must address a row of a `rows`-row matrix (an out-of-range read would silently give NaN). */
export function checkIndex(op: string, rows: number, index: Int32Array): void {
  for (let i = 0; i < index.length; i++) {
    const r = index[i];
    // The message is built only on failure: this runs for every gathered row of every step.
    if (!(r >= 0 && r < rows)) check(false, op, [[rows, 0]], `index[${i}] = ${r} is outside [0, ${rows})`);
  }
}
