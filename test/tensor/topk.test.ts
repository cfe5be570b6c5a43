import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTopKWork, topK, topKInto } from '../../src/tensor/topk.js';
import { createRng } from '../../src/util/rng.js';

/** Reference: sort every candidate by (score desc, NaN as -Infinity, id asc). */
function sortRef(scores: Float32Array, n: number, k: number, exclude: Int32Array = new Int32Array(0)): number[] {
  const ex = new Set(exclude);
  const ids: number[] = [];
  for (let i = 0; i < n; i++) if (!ex.has(i)) ids.push(i);
  const key = (i: number) => (Number.isNaN(scores[i]) ? -Infinity : scores[i]);
  ids.sort((a, b) => key(b) - key(a) || a - b);
  return ids.slice(0, k);
}

test('topK: hand example with ties broken by lower id', () => {
  // scores by id: 0:0.5 1:0.9 2:0.5 3:0.1 4:0.9 → order 1,4 (0.9, ids asc), 0,2 (0.5), 3
  const s = new Float32Array([0.5, 0.9, 0.5, 0.1, 0.9]);
  assert.deepEqual([...topK(s, 5, 3)], [1, 4, 0]);
  assert.deepEqual([...topK(s, 5, 5)], [1, 4, 0, 2, 3]);
  // exclude 1 and 4 (train items): the 0.5 pair leads, then 3
  assert.deepEqual([...topK(s, 5, 2, new Int32Array([1, 4]))], [0, 2]);
});

test('topK: k larger than the candidates returns all candidates, sorted', () => {
  const s = new Float32Array([3, 1, 2]);
  assert.deepEqual([...topK(s, 3, 10)], [0, 2, 1]);
  assert.deepEqual([...topK(s, 3, 10, new Int32Array([0]))], [2, 1]);
  assert.equal(topK(s, 3, 10, new Int32Array([0, 1, 2])).length, 0);
  assert.equal(topK(s, 3, 0).length, 0);
});

test('topK: NaN ranks as -Infinity, after finite scores and ordered by id among -Infinity', () => {
  const s = new Float32Array([NaN, -Infinity, 1, NaN, -5]);
  // finite: 2 (1), 4 (-5); then -Infinity class by id: 0 (NaN), 1 (-Inf), 3 (NaN)
  assert.deepEqual([...topK(s, 5, 5)], [2, 4, 0, 1, 3]);
  assert.deepEqual([...topK(s, 5, 3)], [2, 4, 0]);
  // all NaN: pure id order
  assert.deepEqual([...topK(new Float32Array([NaN, NaN, NaN]), 3, 2)], [0, 1]);
});

test('topK: only the first n entries of a longer buffer are ranked', () => {
  const s = new Float32Array([1, 2, 3, 99]);
  assert.deepEqual([...topK(s, 3, 2)], [2, 1]);
});

test('topK: matches a full sort on random rows with heavy ties, NaN and exclusions', () => {
  const rng = createRng(7);
  for (let trial = 0; trial < 300; trial++) {
    const n = 1 + Math.floor(rng.next() * 200);
    const k = Math.floor(rng.next() * 40);
    const s = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      s[i] = u < 0.03 ? NaN : u < 0.05 ? -Infinity : Math.floor(rng.next() * 8) / 4; // few distinct values
    }
    const ex: number[] = [];
    for (let i = 0; i < n; i++) if (rng.next() < 0.2) ex.push(i);
    const exclude = new Int32Array(ex);
    assert.deepEqual([...topK(s, n, k, exclude)], sortRef(s, n, k, exclude), `trial ${trial} n=${n} k=${k}`);
  }
});

test('topKInto: ranks a row at an offset with reused work buffers', () => {
  const rows = new Float32Array([/* row 0 */ 1, 2, 3, 4, /* row 1 */ 4, 3, 2, 1]);
  const work = createTopKWork(2);
  const out = new Int32Array(2);
  assert.equal(topKInto(rows, 0, 4, undefined, work, out), 2);
  assert.deepEqual([...out], [3, 2]);
  assert.equal(topKInto(rows, 4, 4, new Int32Array([0]), work, out), 2);
  assert.deepEqual([...out], [1, 2]);
  assert.throws(() => topKInto(rows, 6, 4, undefined, work, out), /exceeds scores length 8/);
  assert.throws(() => createTopKWork(-1), /non-negative integer/);
});
