import type { Arr } from '../tensor.js';
import { arity, check, type Op } from './op.js';
import { randMat } from './sample.js';

export interface PrototypeReadoutAttrs {
  /** Under the square root of the row norm (rowL2Normalize's eps). */
  readonly eps: number;
}

/**
 * Prototype read-out of IRLLRec's intent-aware propagation (method.md §B.3), n × d:
 *   Z = rowL2Normalize(softmax_row(E P) Pᵀ),  E n × d, P d × K.
 * One op instead of four (matmul, softmaxRows, matmul, rowL2Normalize): the n × K and n × d intermediates
 * live in scratch instead of as tape nodes with their own gradient buffers. Forward and backward make the
 * same kernel calls with the same arguments, in the same order, as the four-op chain, so values and gradients
 * are bit-identical to it
 * (test/tensor/prototype-readout.test.ts).
 */
export const prototypeReadout: Op<PrototypeReadoutAttrs> = {
  name: 'prototypeReadout',
  outShape(s) {
    arity('prototypeReadout', s, 2);
    check(s[0][1] === s[1][0], 'prototypeReadout', s, 'E must have as many columns as P has rows');
    return s[0];
  },
  scratch: ([e, p]) => 3 * e[0] * p[1] + 2 * e[0] * e[1] + 2 * e[0],
  forward(k, [e, p], y, { eps }, scratch) {
    const n = e.rows, d = e.cols, kk = p.cols, w = layout(scratch, n, d, kk);
    k.gemm(e.data, p.data, w.logits, n, d, kk, false, false, false);
    k.softmaxRows(w.logits, w.soft, w.lse, n, kk, 1);
    k.gemm(w.soft, p.data, w.mix, n, kk, d, false, true, false);
    k.rowL2Normalize(w.mix, y.data, w.norms, n, d, eps);
  },
  backward(k, [e, p], y, dy, [de, dp], _a, scratch) {
    const n = e.rows, d = e.cols, kk = p.cols, w = layout(scratch, n, d, kk);
    // Z = normalize(Y): dY (zeroed, as a fresh tape gradient) += normalize'.
    w.dMix.fill(0);
    k.rowL2NormalizeGrad(y.data, w.norms, dy.data, w.dMix, n, d);
    // Y = S Pᵀ: dS = dY P (into zeros, as the tape would), dP += dYᵀ S.
    w.dSoft.fill(0);
    k.gemm(w.dMix, p.data, w.dSoft, n, d, kk, false, false, true);
    if (dp) k.gemm(w.dMix, w.soft, dp.data, d, n, kk, true, false, true);
    // S = softmax(L): dL (zeroed) += softmax'.
    w.logits.fill(0);
    k.softmaxRowsGrad(w.soft, w.dSoft, w.logits, n, kk);
    // L = E P: dE += dL Pᵀ, dP += Eᵀ dL.
    if (de) k.gemm(w.logits, p.data, de.data, n, kk, d, false, true, true);
    if (dp) k.gemm(e.data, w.logits, dp.data, d, n, kk, true, false, true);
  },
  sample: (rng) => ({ inputs: [randMat(rng, 5, 3), randMat(rng, 3, 4)], attrs: { eps: 1e-8 } }),
};

interface Workspace {
  /** E P in forward; reused for dL in backward (the logits are not needed after the softmax). */
  logits: Arr; soft: Arr; dSoft: Arr; mix: Arr; dMix: Arr; lse: Arr; norms: Arr;
}

function layout(s: Arr, n: number, d: number, kk: number): Workspace {
  let o = 0;
  const take = (len: number): Arr => s.subarray(o, (o += len));
  return {
    logits: take(n * kk), soft: take(n * kk), dSoft: take(n * kk), mix: take(n * d), dMix: take(n * d),
    lse: take(n), norms: take(n),
  };
}
