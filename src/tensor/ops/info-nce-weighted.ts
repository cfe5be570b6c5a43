import type { Arr } from '../tensor.js';
import { arity, check, type Op, SCALAR } from './op.js';
import { randMat } from './sample.js';

export interface InfoNceWeightedAttrs {
  /** τ */
  readonly temperature: number;
  /** Under the square root of the row norm; RLMRec uses 1e-8. */
  readonly eps: number;
  /** w_n ≥ 0 per row of a (and b): how many times the anchor occurs; 0 = a padding row. */
  readonly weights: Float32Array | Float64Array;
  /** m_c ≥ 0 per candidate: how many times it occurs in the candidate set; 0 = a padding row; absent = all 1. */
  readonly counts?: Float32Array | Float64Array;
}

/** Logit offset of an absent (count 0) candidate, in units of 1/τ: exp(−1e4) is 0 in float64. */
const ABSENT = -1e4;

/**
 * InfoNCE of `infoNce` (RLMRec's `cal_infonce_loss`, method.md §B.4) over de-duplicated rows, 1 × 1:
 *   Σ_n w_n [ −cos(a_n, b_n)/τ + log Σ_c m_c exp(cos(a_n, c)/τ) ]
 * This equals `infoNce` on the batch with its duplicates: an anchor occurring w_n times contributes w_n equal
 * terms, and a candidate occurring m_c times is m_c equal summands of the log-sum-exp. Computing it on the
 * distinct rows shrinks the similarity matrix (the cost) by the duplicate share; padding rows (w = 0, m = 0)
 * keep shapes fixed across steps so the tape reuses its buffers.
 *
 * The multiplicity enters as a logit offset τ·log m_c added before the 1/τ-scaled softmax, so P already
 * carries it; backward is `infoNce`'s with the anchor rows scaled by w_n (d/dâ_n = w_n g (P_n Ĉ − b̂_n),
 * d/dĈ = g Pᵀ (w ⊙ â), d/db̂_n = −w_n g â_n, g = dy/τ).
 */
export const infoNceWeighted: Op<InfoNceWeightedAttrs> = {
  name: 'infoNceWeighted',
  outShape(s, { weights, counts }) {
    arity('infoNceWeighted', s, 3);
    const [a, b, c] = s;
    check(a[0] === b[0] && a[1] === b[1], 'infoNceWeighted', s, 'a and b must have one shape');
    check(c[1] === a[1], 'infoNceWeighted', s, 'candidates must have the width of a');
    check(weights.length === a[0], 'infoNceWeighted', s, `weights must have ${a[0]} entries, got ${weights.length}`);
    check(counts === undefined || counts.length === c[0], 'infoNceWeighted', s, `counts must have ${c[0]} entries`);
    return SCALAR;
  },
  scratch([a, , c]) {
    const [bs, d] = a, n = c[0];
    return 3 * bs * d + n * d + 4 * bs + n + (bs + n) * (d + 1) + bs * n + Math.max(bs, n) * d;
  },
  forward(k, [a, b, c], y, { temperature, eps, weights, counts }, scratch) {
    const w = layout(scratch, a.rows, c.rows, a.cols);
    const bs = a.rows, n = c.rows, d = a.cols;
    k.rowL2Normalize(a.data, w.an, w.sa, bs, d, eps);
    k.rowL2Normalize(b.data, w.bn, w.sb, bs, d, eps);
    k.rowL2Normalize(c.data, w.cn, w.sc, n, d, eps);
    if (counts) {
      // The offset rides in the GEMM as an extra column ([â, 1]·[ĉ, τ log m]ᵀ): a separate pass adding it
      // to the bs × n logits costs about three times the k = d + 1 product.
      augment(w.an, w.augA, bs, d, () => 1);
      augment(w.cn, w.augC, n, d, (j) => temperature * (counts[j] > 0 ? Math.log(counts[j]) : ABSENT));
      k.gemm(w.augA, w.augC, w.p, bs, d + 1, n, false, true, false);
    } else {
      k.gemm(w.an, w.cn, w.p, bs, d, n, false, true, false);
    }
    k.softmaxRows(w.p, w.p, w.lse, bs, n, 1 / temperature);
    k.rowDot(w.an, w.bn, w.pos, bs, d);
    let s = 0;
    for (let i = 0; i < bs; i++) if (weights[i] !== 0) s += weights[i] * (w.lse[i] - w.pos[i] / temperature);
    y.data[0] = s;
  },
  backward(k, [a, , c], _y, dy, [da, db, dc], { temperature, weights }, scratch) {
    const w = layout(scratch, a.rows, c.rows, a.cols);
    const bs = a.rows, n = c.rows, d = a.cols, g = dy.data[0] / temperature;
    if (da) {
      // d/dâ_n = w_n g (P_n·Ĉ − b̂_n)
      k.gemm(w.p, w.cn, w.tmp, bs, n, d, false, false, false);
      k.axpy(-1, w.bn, w.tmp, bs * d);
      scaleRows(w.tmp, weights, g, bs, d);
      k.rowL2NormalizeGrad(w.an, w.sa, w.tmp, da.data, bs, d);
    }
    if (dc) {
      // d/dĈ = g Pᵀ·(w ⊙ â)
      w.wa.set(w.an);
      scaleRows(w.wa, weights, g, bs, d);
      k.gemm(w.p, w.wa, w.tmp, n, bs, d, true, false, false);
      k.rowL2NormalizeGrad(w.cn, w.sc, w.tmp, dc.data, n, d);
    }
    if (db) {
      // d/db̂_n = −w_n g â_n
      w.tmp.set(w.an);
      scaleRows(w.tmp, weights, -g, bs, d);
      k.rowL2NormalizeGrad(w.bn, w.sb, w.tmp.subarray(0, bs * d), db.data, bs, d);
    }
  },
  sample(rng) {
    const weights = Float64Array.of(2, 0, 1, 3), counts = Float64Array.of(1, 3, 0, 2, 1, 1);
    return { inputs: [randMat(rng, 4, 3), randMat(rng, 4, 3), randMat(rng, 6, 3)], attrs: { temperature: 0.5, eps: 1e-8, weights, counts } };
  },
};

/** out[i, :] = [x[i, :], last(i)] (rows × (d + 1)). */
function augment(x: Arr, out: Arr, rows: number, d: number, last: (i: number) => number): void {
  for (let i = 0; i < rows; i++) {
    out.set(x.subarray(i * d, i * d + d), i * (d + 1));
    out[i * (d + 1) + d] = last(i);
  }
}

/** x[i, :] *= s · w[i] */
function scaleRows(x: Arr, weights: Float32Array | Float64Array, s: number, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const f = s * weights[i], o = i * cols;
    for (let j = 0; j < cols; j++) x[o + j] *= f;
  }
}

interface Workspace {
  an: Arr; bn: Arr; cn: Arr; wa: Arr; sa: Arr; sb: Arr; sc: Arr; pos: Arr; lse: Arr; augA: Arr; augC: Arr; p: Arr; tmp: Arr;
}

function layout(s: Arr, bs: number, n: number, d: number): Workspace {
  let o = 0;
  const take = (len: number): Arr => s.subarray(o, (o += len));
  return {
    an: take(bs * d), bn: take(bs * d), cn: take(n * d), wa: take(bs * d),
    sa: take(bs), sb: take(bs), sc: take(n), pos: take(bs), lse: take(bs), augA: take(bs * (d + 1)), augC: take(n * (d + 1)),
    p: take(bs * n), tmp: take(Math.max(bs, n) * d),
  };
}
