import type { Arr } from '../tensor.js';
import { arity, check, type Op, SCALAR } from './op.js';
import { randMat } from './sample.js';

export interface InfoNceAttrs {
  /** τ */
  readonly temperature: number;
  /** Under the square root of the row norm; RLMRec uses 1e-8. */
  readonly eps: number;
}

/**
 * Fused InfoNCE as RLMRec/IRLLRec `cal_infonce_loss` (method.md §B.4), 1 × 1:
 *   Σ_n [ −cos(a_n, b_n)/τ + log Σ_{c ∈ C} exp(cos(a_n, c)/τ) ]
 * with inputs a (B × d), b (B × d, the positives) and C (N × d, the candidates, which include the positives:
 * pass the same node as b for in-batch candidates, or all users' profiles with b gathered from them). The batch
 * sum is returned; the caller divides by |B|. cos uses x / sqrt(‖x‖² + eps).
 *
 * Nothing larger than the B × N similarity matrix is materialised: forward keeps the normalised rows, their
 * norms and the softmax P in scratch; backward is two GEMMs (P·Ĉ for â, Pᵀ·â for Ĉ) and the normalisation
 * gradients. The log-sum-exp is max-shifted, unlike the PyTorch code; the value is the same.
 */
export const infoNce: Op<InfoNceAttrs> = {
  name: 'infoNce',
  outShape(s) {
    arity('infoNce', s, 3);
    const [a, b, c] = s;
    check(a[0] === b[0] && a[1] === b[1], 'infoNce', s, 'a and b must have one shape');
    check(c[1] === a[1], 'infoNce', s, 'candidates must have the width of a');
    return SCALAR;
  },
  scratch([a, , c]) {
    const [bs, d] = a, n = c[0];
    return 2 * bs * d + n * d + 4 * bs + n + bs * n + Math.max(bs, n) * d;
  },
  forward(k, [a, b, c], y, { temperature, eps }, scratch) {
    const w = layout(scratch, a.rows, c.rows, a.cols);
    const bs = a.rows, n = c.rows, d = a.cols;
    k.rowL2Normalize(a.data, w.an, w.sa, bs, d, eps);
    k.rowL2Normalize(b.data, w.bn, w.sb, bs, d, eps);
    k.rowL2Normalize(c.data, w.cn, w.sc, n, d, eps);
    k.gemm(w.an, w.cn, w.p, bs, d, n, false, true, false);
    k.softmaxRows(w.p, w.p, w.lse, bs, n, 1 / temperature);
    k.rowDot(w.an, w.bn, w.pos, bs, d);
    y.data[0] = k.sum(w.lse, bs) - k.sum(w.pos, bs) / temperature;
  },
  backward(k, [a, , c], _y, dy, [da, db, dc], { temperature }, scratch) {
    const w = layout(scratch, a.rows, c.rows, a.cols);
    const bs = a.rows, n = c.rows, d = a.cols, g = dy.data[0] / temperature;
    if (da) {
      // d/dâ = g/τ · (P·Ĉ − b̂)
      k.gemm(w.p, w.cn, w.tmp, bs, n, d, false, false, false);
      k.axpy(-1, w.bn, w.tmp, bs * d);
      k.scale(w.tmp, g, w.tmp, bs * d);
      k.rowL2NormalizeGrad(w.an, w.sa, w.tmp, da.data, bs, d);
    }
    if (dc) {
      // d/dĈ = g/τ · Pᵀ·â
      k.gemm(w.p, w.an, w.tmp, n, bs, d, true, false, false);
      k.scale(w.tmp, g, w.tmp, n * d);
      k.rowL2NormalizeGrad(w.cn, w.sc, w.tmp, dc.data, n, d);
    }
    if (db) {
      // d/db̂ = −g/τ · â
      k.scale(w.an, -g, w.tmp, bs * d);
      k.rowL2NormalizeGrad(w.bn, w.sb, w.tmp, db.data, bs, d);
    }
  },
  sample: (rng) => ({
    inputs: [randMat(rng, 4, 3), randMat(rng, 4, 3), randMat(rng, 6, 3)],
    attrs: { temperature: 0.5, eps: 1e-8 },
  }),
};

interface Workspace {
  an: Arr; bn: Arr; cn: Arr; sa: Arr; sb: Arr; sc: Arr; pos: Arr; lse: Arr; p: Arr; tmp: Arr;
}

function layout(s: Arr, bs: number, n: number, d: number): Workspace {
  let o = 0;
  const take = (len: number): Arr => s.subarray(o, (o += len));
  return {
    an: take(bs * d), bn: take(bs * d), cn: take(n * d),
    sa: take(bs), sb: take(bs), sc: take(n), pos: take(bs), lse: take(bs),
    p: take(bs * n), tmp: take(Math.max(bs, n) * d),
  };
}
