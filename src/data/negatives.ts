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
 * Negatives are drawn row by row, then the triples are permuted with the same stream. For a user with at
 * most half the items, rejection against a byte mask of the row (expected < 2 draws, each an L1 lookup);
 * denser users draw exactly: k uniform in [0, cols − deg), then the k-th column missing from the sorted row
 * (binary search on row[j] − j), so a user with all items but one costs one draw, not ~cols.
 * bench/negatives.ts compares the variants.
 */
export function sampleEpochTriples(train: Csr, rng: Rng): Triples {
  const { rows, cols, indptr, indices } = train;
  const n = indptr[rows];
  const negByEntry = new Int32Array(n);
  const userByEntry = new Int32Array(n);
  const mask = new Uint8Array(cols);
  for (let u = 0; u < rows; u++) {
    const start = indptr[u], end = indptr[u + 1], deg = end - start;
    if (deg === 0) continue;
    if (deg >= cols) throw new LmmrecError('DATA', `user ${u} has interacted with all ${cols} items in train, so no negative item can be sampled`);
    userByEntry.fill(u, start, end);
    if (2 * deg <= cols) {
      for (let e = start; e < end; e++) mask[indices[e]] = 1;
      for (let e = start; e < end; e++) {
        let j: number;
        do j = rng.int(cols); while (mask[j] === 1);
        negByEntry[e] = j;
      }
      for (let e = start; e < end; e++) mask[indices[e]] = 0;
    } else {
      for (let e = start; e < end; e++) negByEntry[e] = kthMissing(indices, start, deg, rng.int(cols - deg));
    }
  }
  const perm = new Int32Array(n);
  for (let k = 0; k < n; k++) perm[k] = k;
  for (let k = n - 1; k > 0; k--) {
    const j = rng.int(k + 1);
    const t = perm[k]; perm[k] = perm[j]; perm[j] = t;
  }
  const users = new Int32Array(n), pos = new Int32Array(n), neg = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const e = perm[k];
    users[k] = userByEntry[e];
    pos[k] = indices[e];
    neg[k] = negByEntry[e];
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
