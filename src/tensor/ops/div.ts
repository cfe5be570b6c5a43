import { arity, check, type Op, size } from './op.js';
import { randMat } from './sample.js';

/** a / b elementwise (same shape). */
export const div: Op = {
  name: 'div',
  outShape(s) {
    arity('div', s, 2);
    check(s[0][0] === s[1][0] && s[0][1] === s[1][1], 'div', s, 'shapes differ');
    return s[0];
  },
  forward: (k, [a, b], y) => k.div(a.data, b.data, y.data, size(y)),
  backward(k, [a, b], _y, dy, [da, db]) {
    if (da) k.divGradA(b.data, dy.data, da.data, size(dy));
    if (db) k.divGradB(a.data, b.data, dy.data, db.data, size(dy));
  },
  // Denominators kept away from zero.
  sample: (rng) => ({ inputs: [randMat(rng, 3, 4), randMat(rng, 3, 4, 0.5)], attrs: undefined }),
};
