import { checkIndex } from './gather-rows.js';
import { arity, check, type Op, SCALAR } from './op.js';
import { randIndex, randMat } from './sample.js';

export interface BprRowsAttrs {
  readonly users: Int32Array;
  readonly pos: Int32Array;
  readonly neg: Int32Array;
}

/**
 * bprLoss over rows read in place: mean softplus(u·q − u·p) with u = users[users[i]], p = items[pos[i]],
 * q = items[neg[i]]. The same value and the same gradients, bit for bit, as
 * `bprLoss(gatherRows(users, ·), gatherRows(items, pos), gatherRows(items, neg))` recorded in that order, without
 * the three gathered copies, their gradient buffers and the scatter-adds (kernels bprLossRows / bprLossRowsGrad).
 */
export const bprRows: Op<BprRowsAttrs> = {
  name: 'bprRows',
  outShape(s, { users, pos, neg }) {
    arity('bprRows', s, 2);
    check(s[0][1] === s[1][1], 'bprRows', s, 'user and item tables must have the same width');
    check(users.length === pos.length && users.length === neg.length, 'bprRows', s, 'users, pos and neg must have one length');
    checkIndex('bprRows', s[0][0], users);
    checkIndex('bprRows', s[1][0], pos);
    checkIndex('bprRows', s[1][0], neg);
    return SCALAR;
  },
  forward(k, [u, it], y, { users, pos, neg }) {
    y.data[0] = k.bprLossRows(u.data, it.data, users, pos, neg, u.cols);
  },
  backward(k, [u, it], _y, dy, [du, di], { users, pos, neg }) {
    k.bprLossRowsGrad(u.data, it.data, users, pos, neg, u.cols, dy.data[0], du?.data ?? null, di?.data ?? null);
  },
  sample: (rng) => ({
    inputs: [randMat(rng, 4, 3), randMat(rng, 5, 3)],
    attrs: { users: randIndex(rng, 7, 4), pos: randIndex(rng, 7, 5), neg: randIndex(rng, 7, 5) },
  }),
};
