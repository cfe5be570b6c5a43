import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bipartiteAdjacency, dropEntries, dropEntriesWithTranspose, mirrorIndex, type SparseMat, sparseFromPattern, sparseNnz, transposeSparse } from '../../src/tensor/sparse.js';
import { createRng } from '../../src/util/rng.js';

function dense(s: SparseMat): number[][] {
  const d = Array.from({ length: s.rows }, () => new Array<number>(s.cols).fill(0));
  for (let i = 0; i < s.rows; i++) for (let k = s.indptr[i]; k < s.indptr[i + 1]; k++) d[i][s.indices[k]] += s.values[k];
  return d;
}

const R = { rows: 3, cols: 2, indptr: Int32Array.of(0, 2, 3, 3), indices: Int32Array.of(0, 1, 1) };

test('bipartiteAdjacency: [[0, R], [Rᵀ, 0]] with D^-1/2 A D^-1/2 weights', () => {
  const a = bipartiteAdjacency(R);
  assert.equal(a.rows, 5);
  assert.equal(sparseNnz(a), 6);
  const d = dense(a);
  // user degrees 2, 1, 0; item degrees 1, 2
  assert.equal(d[0][3], Math.fround(1 / Math.sqrt(2 * 1)));
  assert.equal(d[0][4], Math.fround(1 / Math.sqrt(2 * 2)));
  assert.equal(d[1][4], Math.fround(1 / Math.sqrt(1 * 2)));
  for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) assert.equal(d[i][j], d[j][i]);
  assert.deepEqual(d[2], [0, 0, 0, 0, 0]);
  assert.ok(a.values.buffer instanceof SharedArrayBuffer);
  assert.deepEqual(dense(bipartiteAdjacency(R, 'none'))[4], [1, 1, 0, 0, 0]);
});

test('transposeSparse: dense transpose, rows sorted, reusable output', () => {
  const s = sparseFromPattern(R, Float32Array.of(1, 2, 3));
  const t = transposeSparse(s);
  assert.deepEqual(dense(t), [[1, 0, 0], [2, 3, 0]]);
  assert.deepEqual(Array.from(t.indices), [0, 0, 1]);
  const again = transposeSparse(s, t);
  assert.equal(again, t);
  assert.deepEqual(dense(again), [[1, 0, 0], [2, 3, 0]]);
  assert.throws(() => transposeSparse(s, s), /out must be 2x3/);
});

test('dropEntries: keeps about keep × nnz, values unscaled, directions dropped independently', () => {
  const n = 200;
  const indptr = new Int32Array(n + 1), idx: number[] = [];
  for (let u = 0; u < n; u++) {
    for (let i = 0; i < 10; i++) idx.push((u * 7 + i * 13) % 150);
    idx.splice(idx.length - 10, 10, ...[...new Set(idx.slice(-10))].sort((x, y) => x - y));
    indptr[u + 1] = idx.length;
  }
  const a = bipartiteAdjacency({ rows: n, cols: 150, indptr, indices: Int32Array.from(idx) });
  const d = dropEntries(a, 0.8, createRng(1));
  const kept = sparseNnz(d) / sparseNnz(a);
  assert.ok(kept > 0.77 && kept < 0.83, `kept ${kept}`);
  const full = dense(a), dropped = dense(d);
  let asym = 0;
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) {
      if (dropped[i][j] !== 0) assert.equal(dropped[i][j], full[i][j]);
      if ((dropped[i][j] === 0) !== (dropped[j][i] === 0)) asym++;
    }
  }
  assert.ok(asym > 0);
  const reuse = dropEntries(a, 0.5, createRng(2), d);
  assert.equal(reuse, d);
  assert.ok(sparseNnz(reuse) < sparseNnz(a) * 0.6);
});

test('dropEntriesWithTranspose equals dropEntries + transposeSparse, bit for bit, and reuses buffers', () => {
  const r = { rows: 30, cols: 20, indptr: new Int32Array(31), indices: new Int32Array(0) };
  const idx: number[] = [];
  for (let u = 0; u < 30; u++) {
    for (let i = 0; i < 20; i++) if ((u * 7 + i * 3) % 5 < 2) idx.push(i);
    r.indptr[u + 1] = idx.length;
  }
  r.indices = Int32Array.from(idx);
  const adj = bipartiteAdjacency(r);
  // Non-symmetric values on a symmetric pattern: the transpose must take the mirrored value.
  for (let k = 0; k < adj.values.length; k++) adj.values[k] = k + 1;
  const mirror = mirrorIndex(adj);
  const pair = dropEntriesWithTranspose(adj, mirror, 0.7, createRng(9));
  const a = dropEntries(adj, 0.7, createRng(9));
  assert.deepEqual(dense(pair.a), dense(a));
  assert.deepEqual(dense(pair.t), dense(transposeSparse(a)));
  assert.deepEqual(Array.from(pair.t.indptr), Array.from(transposeSparse(a).indptr));
  const again = dropEntriesWithTranspose(adj, mirror, 0.7, createRng(10), pair);
  assert.equal(again, pair);
  assert.deepEqual(dense(again.t), dense(transposeSparse(again.a)));
  assert.throws(() => mirrorIndex(sparseFromPattern(R)), /not square/);
  const asym = { rows: 2, cols: 2, indptr: Int32Array.of(0, 1, 1), indices: Int32Array.of(1), values: Float32Array.of(1) };
  assert.throws(() => mirrorIndex(asym), /no transposed partner/);
});
