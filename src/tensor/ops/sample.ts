import type { Rng } from '../../util/rng.js';
import { type Mat, matrix64 } from '../tensor.js';

/**
 * Random float64 inputs for op samples. `minAbs` keeps entries away from kinks (relu at 0) so a central
 * difference of width 2h never straddles one.
 */
export function randMat(rng: Rng, rows: number, cols: number, minAbs = 0): Mat<Float64Array> {
  const m = matrix64(rows, cols);
  for (let i = 0; i < m.data.length; i++) {
    const v = 2 * rng.next() - 1;
    m.data[i] = v >= 0 ? minAbs + v : v - minAbs;
  }
  return m;
}

/** n indices in [0, bound), with repeats (so scatter/gather gradients see collisions). */
export function randIndex(rng: Rng, n: number, bound: number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = rng.int(bound);
  return idx;
}
