import type { Csr } from '../../data/csr.js';
import type { Kernels } from '../../tensor/kernels/types.js';
import { createDotScorer } from './dot-scorer.js';
import type { Scorer } from '../types.js';

/** One side of a text matrix (S or M of a `lmmrec text embed --out` file): rows × dim, and the has-text mask. */
export interface TextRows {
  readonly matrix: Float32Array;
  readonly hasText: Uint8Array;
}

/**
 * Content-based item-kNN over text vectors, with no training: a user's vector is the sum of the text rows of
 * the items they interacted with in training, and an item scores its dot product with it, i.e. the summed
 * similarity to the user's history (cosine when rows are unit length, as the encoders write them). Items
 * without text have zero rows, so they score 0 and never lift a user's vector. It measures how much of the
 * interaction signal a text representation carries before any plug-in tries to align to it.
 */
export function createTextKnnScorer(train: Csr, items: TextRows, dim: number, kernels: Pick<Kernels, 'gemm' | 'gatherRows'>): Scorer {
  const { matrix, hasText } = items;
  const numItems = train.cols;
  if (matrix.length !== numItems * dim || hasText.length !== numItems) {
    throw new RangeError(`text kNN: expected ${numItems} item rows × dim ${dim}, got ${matrix.length} values and ${hasText.length} mask entries`);
  }
  const users = new Float32Array(train.rows * dim);
  const acc = new Float64Array(dim);
  for (let u = 0; u < train.rows; u++) {
    acc.fill(0);
    for (let k = train.indptr[u]; k < train.indptr[u + 1]; k++) {
      const j = train.indices[k];
      if (!hasText[j]) continue;
      for (let c = 0; c < dim; c++) acc[c] += matrix[j * dim + c];
    }
    users.set(acc, u * dim);
  }
  return createDotScorer(users, matrix, train.rows, numItems, dim, kernels);
}
