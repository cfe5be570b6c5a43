import { arity, check, type Op, SCALAR } from './op.js';
import { randMat } from './sample.js';

/**
 * Fused BPR, as RLMRec/SSLRec code it: mean over the batch of softplus(u·q − u·p), from the gathered user (u),
 * positive (p) and negative (q) embedding rows. 0 for an empty batch.
 */
export const bprLoss: Op = {
  name: 'bprLoss',
  outShape(s) {
    arity('bprLoss', s, 3);
    for (const t of s) check(t[0] === s[0][0] && t[1] === s[0][1], 'bprLoss', s, 'user, positive and negative rows must have one shape');
    return SCALAR;
  },
  forward(k, [u, p, q], y) {
    y.data[0] = k.bprLoss(u.data, p.data, q.data, u.rows, u.cols);
  },
  backward(k, [u, p, q], _y, dy, [du, dp, dq]) {
    k.bprLossGrad(u.data, p.data, q.data, u.rows, u.cols, dy.data[0], du?.data ?? null, dp?.data ?? null, dq?.data ?? null);
  },
  sample: (rng) => ({ inputs: [randMat(rng, 5, 4), randMat(rng, 5, 4), randMat(rng, 5, 4)], attrs: undefined }),
};
