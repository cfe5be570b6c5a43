import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createEdgeDropper } from '../../../src/models/base/graph.js';
import { scalarKernels } from '../../../src/tensor/kernels/scalar.js';
import { createWorkerKernels } from '../../../src/tensor/kernels/worker-kernels.js';
import { bipartiteAdjacency, dropEntries, type SparseMat, sparseNnz, transposeSparse } from '../../../src/tensor/sparse.js';
import { createRng } from '../../../src/util/rng.js';

const pool = createWorkerKernels({ threads: 2, minParallelWork: 0 });
after(async () => (await pool).close());

function graph(users: number, items: number, seed: number): SparseMat {
  const rng = createRng(seed), indptr = [0], idx: number[] = [];
  for (let u = 0; u < users; u++) {
    const row = new Set<number>();
    for (let e = 0; e < 1 + rng.int(7); e++) row.add(rng.int(items));
    idx.push(...[...row].sort((a, b) => a - b));
    indptr.push(idx.length);
  }
  return bipartiteAdjacency({ rows: users, cols: items, indptr: Int32Array.from(indptr), indices: Int32Array.from(idx) });
}

function assertSameMatrix(got: SparseMat, want: SparseMat, what: string): void {
  const n = sparseNnz(want);
  assert.equal(sparseNnz(got), n, `${what}: nnz`);
  assert.deepEqual(Array.from(got.indptr), Array.from(want.indptr), `${what}: indptr`);
  assert.deepEqual(Array.from(got.indices.subarray(0, n)), Array.from(want.indices.subarray(0, n)), `${what}: indices`);
  assert.deepEqual(Array.from(got.values.subarray(0, n)), Array.from(want.values.subarray(0, n)), `${what}: values`);
}

test('edge dropper: matrix and transpose equal dropEntries + transposeSparse, step after step, scalar and 2 threads', async () => {
  const adj = graph(57, 31, 4);
  for (const kernels of [scalarKernels, await pool]) {
    const drop = createEdgeDropper(adj, 0.8, kernels);
    const rng = createRng(99), ref = createRng(99);
    for (let step = 0; step < 3; step++) {
      const op = drop(rng);
      const want = dropEntries(adj, 0.8, ref);
      assertSameMatrix(op.a, want, `step ${step} a`);
      assertSameMatrix(op.t, transposeSparse(want), `step ${step} t`);
    }
    assert.equal(rng.next(), ref.next(), 'both consumed the same number of draws');
  }
});

test('edge dropper: a non-symmetric matrix takes the general path with the same result', () => {
  const a: SparseMat = { rows: 3, cols: 4, indptr: Int32Array.of(0, 2, 3, 5), indices: Int32Array.of(1, 3, 0, 2, 1), values: Float32Array.of(1, 2, 3, 4, 5) };
  const op = createEdgeDropper(a, 0.5)(createRng(7));
  const want = dropEntries(a, 0.5, createRng(7));
  assertSameMatrix(op.a, want, 'a');
  assertSameMatrix(op.t, transposeSparse(want), 't');
});

test('edge dropper: keep 1 returns the full matrix without drawing', () => {
  const adj = graph(5, 4, 1);
  const rng = createRng(3);
  const op = createEdgeDropper(adj, 1)(rng);
  assert.equal(sparseNnz(op.a), sparseNnz(adj));
  assert.equal(rng.next(), createRng(3).next());
});
