import type { Arr } from '../tensor.js';
import { edgeCount, type EdgePattern, randomPattern, withValues } from './edge-pattern.js';
import { arity, check, type Op } from './op.js';
import { randMat } from './sample.js';

/**
 * Sampled dot products (SDDMM) on a pattern: y_k = a[r_k] · b[c_k] for every stored entry k = (r_k, c_k), an
 * nnz × 1 column. With row-normalised inputs this is the per-edge cosine of IRLLRec's motivation-aware edge
 * weights (method.md §B.3) without materialising two nnz × d gathers. Backward is two sparse products:
 * da += G b and db += Gᵀ a, with G the pattern carrying dy as values.
 */
export const edgeDot: Op<EdgePattern> = {
  name: 'edgeDot',
  outShape(s, p) {
    arity('edgeDot', s, 2);
    check(s[0][0] === p.rows && s[1][0] === p.cols, 'edgeDot', s, `pattern is ${p.rows}x${p.cols}`);
    check(s[0][1] === s[1][1], 'edgeDot', s, 'a and b must have one width');
    return [edgeCount(p), 1];
  },
  scratch: (_s, p) => edgeCount(p),
  forward(_k, [a, b], y, p) {
    const d = a.cols, ad = a.data, bd = b.data, out = y.data, indptr = p.indptr, indices = p.indices;
    for (let r = 0; r < p.rows; r++) {
      const ao = r * d;
      for (let e = indptr[r], end = indptr[r + 1]; e < end; e++) out[e] = dotAt(ad, ao, bd, indices[e] * d, d);
    }
  },
  backward(k, [a, b], _y, dy, [da, db], p, scratch) {
    const d = a.cols;
    if (da) k.spmm(withValues(p, dy.data), b.data, da.data, d, true);
    if (db) {
      permute(dy.data, p.perm, scratch);
      k.spmm(withValues(p, scratch, true), a.data, db.data, d, true);
    }
  },
  sample(rng) {
    const p = randomPattern(rng, 4, 5, 0.4);
    return { inputs: [randMat(rng, 4, 3), randMat(rng, 5, 3)], attrs: p };
  },
};

/** out[kT] = v[perm[kT]]: values in the transpose's storage order. */
export function permute(v: Arr, perm: Int32Array, out: Arr): void {
  for (let i = 0; i < perm.length; i++) out[i] = v[perm[i]];
}

/** a[ao..ao+d) · b[bo..bo+d) with four accumulators (a fixed order, so results do not depend on the caller). */
export function dotAt(a: Arr, ao: number, b: Arr, bo: number, d: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, j = 0;
  for (; j + 4 <= d; j += 4) {
    s0 += a[ao + j] * b[bo + j];
    s1 += a[ao + j + 1] * b[bo + j + 1];
    s2 += a[ao + j + 2] * b[bo + j + 2];
    s3 += a[ao + j + 3] * b[bo + j + 3];
  }
  for (; j < d; j++) s0 += a[ao + j] * b[bo + j];
  return s0 + s1 + (s2 + s3);
}
