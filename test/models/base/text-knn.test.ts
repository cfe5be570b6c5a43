import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csrFromPairs } from '../../../src/data/csr.js';
import { createTextKnnScorer } from '../../../src/models/base/text-knn.js';
import { scalarKernels } from '../../../src/tensor/kernels/scalar.js';

test('text kNN: a user scores each item by the summed dot products with the text of their training items', () => {
  // 3 users × 4 items; item 2 has no text (zero row, mask 0) and must neither score nor lift a user.
  const items = {
    matrix: new Float32Array([1, 0, /**/ 0.6, 0.8, /**/ 0, 0, /**/ 0, 1]),
    hasText: new Uint8Array([1, 1, 0, 1]),
  };
  // user 0: items 0, 1 → vector (1.6, 0.8); user 1: item 2 only → (0, 0); user 2: item 3 → (0, 1)
  const train = csrFromPairs(3, 4, new Int32Array([0, 0, 1, 2]), new Int32Array([0, 1, 2, 3]));
  const s = createTextKnnScorer(train, items, 2, scalarKernels);
  const out = new Float32Array(12);
  s.scoreBatch(new Int32Array([0, 1, 2]), out);
  const want = [
    [1.6, 1.6 * 0.6 + 0.8 * 0.8, 0, 0.8],
    [0, 0, 0, 0],
    [0, 0.8, 0, 1],
  ].flat();
  want.forEach((w, k) => assert.ok(Math.abs(out[k] - w) < 1e-6, `score ${k}: ${out[k]} vs ${w}`));
  assert.throws(() => createTextKnnScorer(train, items, 3, scalarKernels), /expected 4 item rows × dim 3/);
});
