import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrFromPairs, hasEntry, nnz, rowOf, toPairs, transpose } from '../../src/data/csr.js';

const r = Int32Array.from([2, 0, 0, 1, 2]);
const c = Int32Array.from([1, 3, 0, 2, 0]);

test('csrFromPairs sorts each row and counts entries', () => {
  const m = csrFromPairs(3, 4, r, c);
  assert.equal(nnz(m), 5);
  assert.deepEqual([...m.indptr], [0, 2, 3, 5]);
  assert.deepEqual([...rowOf(m, 0)], [0, 3]);
  assert.deepEqual([...rowOf(m, 2)], [0, 1]);
  assert.ok(hasEntry(m, 0, 3));
  assert.ok(!hasEntry(m, 0, 2));
  assert.ok(!hasEntry(m, 1, 0));
});

test('transpose is an involution and preserves entries', () => {
  const m = csrFromPairs(3, 4, r, c);
  const t = transpose(m);
  assert.equal(t.rows, 4);
  assert.deepEqual([...rowOf(t, 0)], [0, 2]);
  assert.deepEqual([...rowOf(t, 3)], [0]);
  const tt = transpose(t);
  assert.deepEqual(tt.indptr, m.indptr);
  assert.deepEqual(tt.indices, m.indices);
  const p = toPairs(m);
  assert.deepEqual([...p.r], [0, 0, 1, 2, 2]);
  assert.deepEqual([...p.c], [0, 3, 2, 0, 1]);
});

test('duplicate pairs are rejected, not collapsed', () => {
  assert.throws(() => csrFromPairs(2, 2, Int32Array.from([0, 0]), Int32Array.from([1, 1])), /duplicate entry \(0, 1\)/);
});
