import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { csrFromPairs, hasEntry, nnz } from '../../src/data/csr.js';
import { loadDataset } from '../../src/data/load.js';
import { kthMissing, sampleEpochTriples } from '../../src/data/negatives.js';
import { LmmrecError } from '../../src/util/errors.js';
import { createRng } from '../../src/util/rng.js';

const BOOK = join(import.meta.dirname, '..', 'fixtures', 'tiny_amazon_book');

test('kthMissing enumerates the complement of a sorted row', () => {
  const row = Int32Array.of(9, 1, 3, 4, 9);
  const got = [0, 1, 2, 3, 4].map((k) => kthMissing(row, 1, 3, k));
  assert.deepEqual(got, [0, 2, 5, 6, 7]);
});

test('tiny_amazon_book: every interaction once, negatives never positives, shuffled, seeded', async () => {
  const { train } = await loadDataset(BOOK, { texts: false });
  const t = sampleEpochTriples(train, createRng(1));
  const n = nnz(train);
  assert.equal(t.users.length, n);
  assert.equal(t.pos.length, n);
  assert.equal(t.neg.length, n);
  const seen = new Set<string>();
  for (let k = 0; k < n; k++) {
    assert.ok(hasEntry(train, t.users[k], t.pos[k]));
    assert.ok(!hasEntry(train, t.users[k], t.neg[k]), `triple ${k}`);
    assert.ok(t.neg[k] >= 0 && t.neg[k] < train.cols);
    seen.add(`${t.users[k]},${t.pos[k]}`);
  }
  assert.equal(seen.size, n);
  let sortedRuns = 0;
  for (let k = 1; k < n; k++) if (t.users[k] >= t.users[k - 1]) sortedRuns++;
  assert.ok(sortedRuns < 0.75 * n, 'order is shuffled, not row-major');
  assert.deepEqual(sampleEpochTriples(train, createRng(1)), t);
  assert.notDeepEqual(sampleEpochTriples(train, createRng(2)).neg, t.neg);
});

test('dense users (complement rank path) get uniform negatives among their non-items', () => {
  // user 0 has 8 of 10 items (dense path), user 1 has 1 (mask path)
  const train = csrFromPairs(2, 10, Int32Array.of(0, 0, 0, 0, 0, 0, 0, 0, 1), Int32Array.of(0, 1, 2, 4, 5, 6, 8, 9, 3));
  const counts = new Map<number, number>();
  const sparse = new Int32Array(10);
  const rng = createRng(4);
  for (let epoch = 0; epoch < 900; epoch++) {
    const t = sampleEpochTriples(train, rng);
    for (let k = 0; k < t.users.length; k++) {
      if (t.users[k] === 0) counts.set(t.neg[k], (counts.get(t.neg[k]) ?? 0) + 1);
      else sparse[t.neg[k]]++;
    }
  }
  assert.deepEqual([...counts.keys()].sort(), [3, 7]);
  const share = counts.get(3)! / (8 * 900);
  assert.ok(share > 0.47 && share < 0.53, `share ${share}`);
  // user 1 (mask path): 900 draws spread over the 9 items it lacks, about 100 each
  assert.equal(sparse[3], 0);
  for (const i of [0, 1, 2, 4, 5, 6, 7, 8, 9]) assert.ok(sparse[i] > 60 && sparse[i] < 140, `item ${i}: ${sparse[i]}`);
});

test('a user with every item is an error; users without items are skipped', () => {
  const full = csrFromPairs(2, 3, Int32Array.of(1, 1, 1), Int32Array.of(0, 1, 2));
  assert.throws(() => sampleEpochTriples(full, createRng(1)), (e: unknown) => e instanceof LmmrecError && /user 1 has interacted with all 3 items/.test(e.message));
  const sparse = csrFromPairs(3, 3, Int32Array.of(2), Int32Array.of(1));
  const t = sampleEpochTriples(sparse, createRng(1));
  assert.deepEqual([...t.users, ...t.pos], [2, 1]);
  assert.ok(t.neg[0] === 0 || t.neg[0] === 2);
});
