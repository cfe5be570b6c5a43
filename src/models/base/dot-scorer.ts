import type { Kernels } from '../../tensor/kernels/types.js';
import { sharedF32 } from '../../tensor/tensor.js';
import type { Scorer } from '../types.js';

/**
 * Scores as dot products of frozen user and item embeddings: out = U[users] · Iᵀ, one GEMM per batch. Every
 * GEMM kernel computes a C row independently of the other rows in the call, so scores (and hence metrics)
 * do not depend on how users are batched.
 */
export function createDotScorer(
  users: Float32Array, items: Float32Array, numUsers: number, numItems: number, dim: number,
  kernels: Pick<Kernels, 'gemm' | 'gatherRows'>,
): Scorer {
  if (users.length !== numUsers * dim || items.length !== numItems * dim) {
    throw new RangeError(`dot scorer: expected ${numUsers}x${dim} users and ${numItems}x${dim} items`);
  }
  let rows = sharedF32(0);
  return {
    numItems,
    embeddings: { users, items, dim },
    scoreBatch(batch: Int32Array, out: Float32Array): void {
      const m = batch.length;
      if (out.length < m * numItems) throw new RangeError(`scoreBatch: out has ${out.length} floats, need ${m} × ${numItems}`);
      for (let b = 0; b < m; b++) {
        if (!(batch[b] >= 0 && batch[b] < numUsers)) throw new RangeError(`scoreBatch: user ${batch[b]} out of range [0, ${numUsers})`);
      }
      if (rows.length < m * dim) rows = sharedF32(m * dim);
      kernels.gatherRows(users, batch, rows, dim);
      kernels.gemm(rows, items, out, m, dim, numItems, false, true, false);
    },
  };
}
