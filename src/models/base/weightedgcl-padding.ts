import { infoNce, type InfoNceAttrs } from '../../tensor/ops/info-nce.js';
import { arity, check, type Op, SCALAR } from '../../tensor/ops/op.js';
import { randMat } from '../../tensor/ops/sample.js';
import type { Arr, Mat } from '../../tensor/tensor.js';

/**
 * Fixed shapes for WeightedGCL's contrastive term. Its node sets (the batch's unique users, unique positive
 * items) change size every step; the tape recycles only the buffers of the step just ended, keyed by length,
 * so varying sizes meant fresh shared buffers every step: an n² similarity matrix of ~40 MB per term whose
 * first touch (page faults) cost several times the GEMM that fills it, and memory the GC returned late
 * (9.6 GB peak RSS on Yelp). Here the sets are padded to a size that only grows, and the InfoNCE reads only
 * the real rows, so loss and gradients are those of the unpadded sets and the padding costs no n² work.
 */

/** n rounded up to a multiple of 2^(⌊log2 n⌋ − 3): at most 1/8 padding; small n unchanged. */
export function bucket(n: number): number {
  if (n <= 16) return n;
  const step = 2 ** (Math.floor(Math.log2(n)) - 3);
  return Math.ceil(n / step) * step;
}

/**
 * Padded row counts that never shrink: the largest bucket seen so far. After the first few steps every
 * step has the same shapes (the sets are at most a batch long), so the tape allocates nothing new.
 */
export function createGrowingSizer(): (n: number) => number {
  let cap = 0;
  return (n) => (cap = Math.max(cap, bucket(n)));
}

/** torch.unique (sorted distinct values) followed by copies of the first value up to `size` entries. */
export function paddedUnique(a: Int32Array, size: (n: number) => number): { ids: Int32Array; rows: number } {
  const s = Int32Array.from(a).sort();
  let w = 0;
  for (let k = 0; k < s.length; k++) if (k === 0 || s[k] !== s[k - 1]) s[w++] = s[k];
  const ids = new Int32Array(Math.max(w, size(w))).fill(w > 0 ? s[0] : 0);
  ids.set(s.subarray(0, w));
  return { ids, rows: w };
}

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
