import { checkIndex } from './gather-rows.js';
import { arity, check, type Op, size } from './op.js';
import { randIndex, randMat } from './sample.js';

export interface ScatterAttrs {
  readonly index: Int32Array;
  /** Rows of the output. */
  readonly rows: number;
}

/** out = zeros(rows, cols); out[index[i], :] += x[i, :]. Backward gathers. */
export const scatterAddRows: Op<ScatterAttrs> = {
  name: 'scatterAddRows',
  outShape(s, { index, rows }) {
    arity('scatterAddRows', s, 1);
    check(s[0][0] === index.length, 'scatterAddRows', s, `input has ${s[0][0]} rows but index has ${index.length}`);
    checkIndex('scatterAddRows', rows, index);
    return [rows, s[0][1]];
  },
  forward(k, [x], y, { index }) {
    y.data.fill(0, 0, size(y));
    k.scatterAddRows(x.data, index, y.data, x.cols);
  },
  backward(k, [x], _y, dy, [dx], { index }) {
    if (dx) k.gatherAddRows(dy.data, index, dx.data, x.cols);
  },
  sample: (rng) => ({ inputs: [randMat(rng, 7, 2)], attrs: { index: randIndex(rng, 7, 4), rows: 4 } }),
};
