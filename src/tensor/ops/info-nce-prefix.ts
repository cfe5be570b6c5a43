import { infoNce, type InfoNceAttrs } from './info-nce.js';
import { arity, check, type Op, SCALAR } from './op.js';
import { randMat } from './sample.js';
import type { Arr, Mat } from '../tensor.js';

export interface InfoNcePrefixAttrs extends InfoNceAttrs {
  /** The real rows: the first `rows` of a, b and C; the rest is padding and is not read. */
  readonly rows: number;
}

/**
 * `infoNce` (a, b, C) on the first `rows` rows of its three inputs (of equal shape), 1 × 1. Forward and
 * backward are infoNce's on those rows, so the value and the gradients are exactly the unpadded ones; the
 * padding rows get no gradient. Scratch is sized by the padded shape, so it is stable across steps.
 */
export const infoNcePrefix: Op<InfoNcePrefixAttrs> = {
  name: 'infoNcePrefix',
  outShape(s, { rows }) {
    arity('infoNcePrefix', s, 3);
    const [a, b, c] = s;
    check(a[0] === b[0] && a[1] === b[1] && a[0] === c[0] && a[1] === c[1], 'infoNcePrefix', s, 'a, b and C must have one shape');
    check(Number.isInteger(rows) && rows >= 0 && rows <= a[0], 'infoNcePrefix', s, `rows must be an integer in [0, ${a[0]}], got ${rows}`);
    return SCALAR;
  },
  scratch(s, attrs) {
    return infoNce.scratch!(s, attrs);
  },
  forward(k, xs, y, attrs, scratch) {
    if (attrs.rows === 0) {
      y.data[0] = 0;
      return;
    }
    infoNce.forward(k, xs.map((x) => prefix(x, attrs.rows)), y, attrs, scratch);
  },
  backward(k, xs, y, dy, dxs, attrs, scratch) {
    if (attrs.rows === 0) return;
    const { rows } = attrs;
    infoNce.backward(k, xs.map((x) => prefix(x, rows)), y, dy, dxs.map((d) => d && prefix(d, rows)), attrs, scratch);
  },
  sample: (rng) => ({
    inputs: [randMat(rng, 6, 3), randMat(rng, 6, 3), randMat(rng, 6, 3)],
    attrs: { temperature: 0.5, eps: 1e-8, rows: 4 },
  }),
};

/** The first `rows` rows of m, sharing its buffer. */
function prefix<D extends Arr>(m: Mat<D>, rows: number): Mat<D> {
  return { rows, cols: m.cols, data: m.data.subarray(0, rows * m.cols) as D };
}
