import { arity, check, type Op, size } from './op.js';
import { randMat } from './sample.js';

/** a ⊙ b (same shape). */
export const mul: Op = {
  name: 'mul',
  outShape(s) {
    arity('mul', s, 2);
    check(s[0][0] === s[1][0] && s[0][1] === s[1][1], 'mul', s, 'shapes differ');
    return s[0];
  },
  forward: (k, [a, b], y) => k.mul(a.data, b.data, y.data, size(y)),
  backward(k, [a, b], _y, dy, [da, db]) {
    if (da) k.mulAdd(dy.data, b.data, da.data, size(dy));
    if (db) k.mulAdd(dy.data, a.data, db.data, size(dy));
  },
  sample: (rng) => ({ inputs: [randMat(rng, 4, 3), randMat(rng, 4, 3)], attrs: undefined }),
};
