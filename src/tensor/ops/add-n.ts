import { check, type Op, size } from './op.js';
import { randMat } from './sample.js';

/**
 * x0 + x1 + … (same shapes), summed left to right with each partial sum rounded as a chain of `add` ops
 * would round it, so the values are the same as that chain's; one pass instead of one per input, and the
 * backward adds dy into every input's gradient.
 */
export const addN: Op = {
  name: 'addN',
  outShape(s) {
    check(s.length >= 1, 'addN', s, 'needs at least one input');
    for (const t of s) check(t[0] === s[0][0] && t[1] === s[0][1], 'addN', s, 'shapes differ');
    return s[0];
  },
  forward: (k, xs, y) => k.addMany(y.data, xs.map((x) => x.data), size(y)),
  backward(k, _xs, _y, dy, dxs) {
    for (const dx of dxs) if (dx) k.axpy(1, dy.data, dx.data, size(dy));
  },
  gradPassThrough: true,
  sample: (rng) => ({ inputs: [randMat(rng, 3, 5), randMat(rng, 3, 5), randMat(rng, 3, 5), randMat(rng, 3, 5)], attrs: undefined }),
};
