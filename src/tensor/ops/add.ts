import { arity, check, type Op, size } from './op.js';
import { randMat } from './sample.js';

/** a + b (same shape). */
export const add: Op = {
  name: 'add',
  outShape(s) {
    arity('add', s, 2);
    check(s[0][0] === s[1][0] && s[0][1] === s[1][1], 'add', s, 'shapes differ');
    return s[0];
  },
  forward: (k, [a, b], y) => k.add(a.data, b.data, y.data, size(y)),
  backward(k, _xs, _y, dy, [da, db]) {
    if (da) k.axpy(1, dy.data, da.data, size(dy));
    if (db) k.axpy(1, dy.data, db.data, size(dy));
  },
  gradPassThrough: true,
  sample: (rng) => ({ inputs: [randMat(rng, 3, 5), randMat(rng, 3, 5)], attrs: undefined }),
};
