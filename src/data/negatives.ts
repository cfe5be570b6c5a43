import { LmmrecError } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import type { Csr } from './csr.js';

/** One epoch of BPR training triples (u, i⁺, i⁻), in shuffled order. */
export interface Triples {
  users: Int32Array;
  pos: Int32Array;
  neg: Int32Array;
}

/**
 * method.md B.0: one negative per training interaction, uniform over the items the user has not interacted
 * with in train, and the triples shuffled (the trainer cuts batches of 4096 from the front).
 *
 * Rows are visited in order (the user's byte mask stays hot) and each new triple is placed at a uniform slot
 * of the output so far, an inside-out Fisher–Yates shuffle fused with the sampling (one pass, no permutation
 * array). A user with at most half the items gets rejection sampling against the mask (expected < 2 draws);
 * denser users draw exactly: k uniform in [0, cols − deg), then the k-th column missing from the sorted row
 * (binary search on row[j] − j), so a user with all items but one costs one draw, not ~cols.
 * bench/negatives.ts compares the variants.
 */
export function sampleEpochTriples(train: Csr, rng: Rng): Triples {
  const { rows, cols, indptr, indices } = train;
  const n = indptr[rows];
  const users = new Int32Array(n), pos = new Int32Array(n), neg = new Int32Array(n);
  const mask = new Uint8Array(cols);
  let k = 0;
  for (let u = 0; u < rows; u++) {
    const start = indptr[u], end = indptr[u + 1], deg = end - start;
    if (deg === 0) continue;
    if (deg >= cols) throw new LmmrecError('DATA', `user ${u} has interacted with all ${cols} items in train, so no negative item can be sampled`);
    const sparse = 2 * deg <= cols;
    if (sparse) for (let e = start; e < end; e++) mask[indices[e]] = 1;
    for (let e = start; e < end; e++) {
      let j: number;
      if (sparse) do j = rng.int(cols); while (mask[j] === 1);
      else j = kthMissing(indices, start, deg, rng.int(cols - deg));
      const r = rng.int(k + 1);
      users[k] = users[r]; pos[k] = pos[r]; neg[k] = neg[r];
      users[r] = u; pos[r] = indices[e]; neg[r] = j;
      k++;
    }
    if (sparse) for (let e = start; e < end; e++) mask[indices[e]] = 0;
  }
  return { users, pos, neg };
}

/** The k-th (0-based) column absent from the sorted row indices[start .. start+deg). */
export function kthMissing(indices: Int32Array, start: number, deg: number, k: number): number {
  let lo = 0, hi = deg;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (indices[start + mid] - mid > k) hi = mid; else lo = mid + 1;
  }
  return k + lo;
}
