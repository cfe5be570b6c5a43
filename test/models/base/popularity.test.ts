import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csrFromPairs } from '../../../src/data/csr.js';
import { createPopularityScorer } from '../../../src/models/base/popularity.js';

test('popularity: every user row is the item train degree', () => {
  // 3 users × 4 items; item degrees: 0→2, 1→0, 2→3, 3→1
  const train = csrFromPairs(3, 4, new Int32Array([0, 0, 1, 1, 2, 2]), new Int32Array([0, 2, 2, 3, 0, 2]));
  const s = createPopularityScorer(train);
  assert.equal(s.numItems, 4);
  const out = new Float32Array(8).fill(-1);
  s.scoreBatch(new Int32Array([2, 0]), out);
  assert.deepEqual([...out], [2, 0, 3, 1, 2, 0, 3, 1]);
  assert.throws(() => s.scoreBatch(new Int32Array([0, 1, 2]), out), /need 3 × 4/);
});
