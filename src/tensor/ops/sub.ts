import { arity, check, type Op, size } from './op.js';
import { randMat } from './sample.js';

/** a − b (same shape). */
export const sub: Op = {
  name: 'sub',
  outShape(s) {
    arity('sub', s, 2);
    check(s[0][0] === s[1][0] && s[0][1] === s[1][1], 'sub', s, 'shapes differ');
    return s[0];
  },
  forward: (k, [a, b], y) => k.sub(a.data, b.data, y.data, size(y)),
  backward(k, _xs, _y, dy, [da, db]) {
    if (da) k.axpy(1, dy.data, da.data, size(dy));
    if (db) k.axpy(-1, dy.data, db.data, size(dy));
  },
  sample: (rng) => ({ inputs: [randMat(rng, 3, 4), randMat(rng, 3, 4)], attrs: undefined }),
};
