import type { Kernels } from '../../tensor/kernels/types.js';
import { BLOCK, type BasisWork, sumGramRows } from './polycf-basis.js';
import type { GramFilter } from './polycf-filter.js';

/**
 * Dense T_2(x_γ) = 2x_γ² − I (n_i × n_i, symmetric), so PolyCF's training features need no full products:
 * with S a user's input signal, [S T_2]_i = Σ_{l ∈ S} T_2[l, i] (one row, |S| reads) and, from
 * T_1 T_2 = (T_3 + T_1)/2, [S T_3]_i = 2 (S T_1)·T_2[i, :] − [S T_1]_i, where S T_1 is sparse (the items
 * two hops from the input). Memory n_i² floats per filter (348 MB on Amazon-book, 485 MB on Yelp), built
 * once from the graph (two SpMMs per block of 64 columns: ~2·nnz(R)·n_i multiply-adds per filter).
 */
export function denseSecondOrder(k: Kernels, f: GramFilter, w: BasisWork): Float32Array {
  const ni = f.r.cols, out = new Float32Array(ni * ni), { indptr, indices, values } = f.p;
  const a = 8 / (f.lambdaMax * f.lambdaMax), b = 8 / f.lambdaMax, pb = w.acc, p2 = w.t[0];
  for (let i0 = 0; i0 < ni; i0 += BLOCK) {
    const cb = Math.min(BLOCK, ni - i0);
    pb.fill(0, 0, ni * cb);
    for (let q = 0; q < cb; q++) for (let e = indptr[i0 + q]; e < indptr[i0 + q + 1]; e++) pb[indices[e] * cb + q] = values[e];
    k.spmm(f.r, pb, w.mid, cb, false);
    k.spmm(f.rt, w.mid, p2, cb, false);
    // Row i0 + q of the table is column i0 + q of T_2; P² is symmetric up to rounding, so rows and columns
    // agree within float32 rounding.
    for (let j = 0; j < ni; j++) {
      for (let q = 0; q < cb; q++) out[(i0 + q) * ni + j] = a * p2[j * cb + q] - b * pb[j * cb + q] + (j === i0 + q ? 1 : 0);
    }
  }
  return out;
}

/**
 * Features of orders 1..K (K = 2 or 3) of (signal, item) pairs from dense T_2 tables, into
 * out[p·nf + g·K + o − 1]; same values as pairFeatures (polycf-basis.ts) within float32 rounding.
 */
export function densePairFeatures(
  filters: readonly GramFilter[], t2: readonly Float32Array[], K: number, inputs: readonly Int32Array[], col: Int32Array,
  item: Int32Array, nf: number, out: Float32Array, w: BasisWork,
): void {
  const ni = filters[0].r.cols, byCol = Array.from({ length: inputs.length }, (): number[] => []);
  col.forEach((b, p) => byCol[b].push(p));
  const t1 = w.acc, { sum, seen, touched } = w;
  byCol.forEach((pairs, b) => {
    if (pairs.length === 0) return;
    const row = inputs[b];
    filters.forEach((f, g) => {
      const a = 2 / f.lambdaMax, T = t2[g], found = sumGramRows(f.p, row, w), stamp = found.stamp;
      let n = found.n;
      for (let q = 0; q < n; q++) t1[touched[q]] = Math.fround(sum[touched[q]]) * a;
      for (const j of row) {
        if (seen[j] !== stamp) {
          seen[j] = stamp;
          t1[j] = 0;
          touched[n++] = j;
        }
        t1[j] -= 1;
      }
      for (const p of pairs) {
        const i = item[p], at = p * nf + g * K, ti = T.subarray(i * ni, (i + 1) * ni);
        const f1 = seen[i] === stamp ? t1[i] : 0;
        let s2 = 0;
        for (const l of row) s2 += ti[l];
        out[at] = f1;
        out[at + 1] = s2;
        if (K === 3) {
          let d = 0;
          for (let q = 0; q < n; q++) d += t1[touched[q]] * ti[touched[q]];
          out[at + 2] = Math.fround(2 * d) - f1;
        }
      }
    });
  });
}
