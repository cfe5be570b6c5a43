import type { Csr } from '../../data/csr.js';
import type { Scorer } from '../types.js';

/**
 * Most-popular baseline: every user gets the same scores, each item's number of training interactions
 * (its degree in the train graph). Ties between equally popular items are left to the ranker (lower id).
 */
export function createPopularityScorer(train: Csr): Scorer {
  const numItems = train.cols;
  const degree = new Float32Array(numItems);
  const nz = train.indptr[train.rows];
  for (let k = 0; k < nz; k++) degree[train.indices[k]]++;
  return {
    numItems,
    scoreBatch(users: Int32Array, out: Float32Array): void {
      if (out.length < users.length * numItems) {
        throw new RangeError(`popularity: out has ${out.length} floats, need ${users.length} × ${numItems}`);
      }
      for (let b = 0; b < users.length; b++) out.set(degree, b * numItems);
    },
  };
}
