import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { createAdam } from '../../src/tensor/adam.js';
import * as F from '../../src/tensor/fn.js';
import { xavierUniform } from '../../src/tensor/init.js';
import { scalarKernels } from '../../src/tensor/kernels/scalar.js';
import type { Kernels } from '../../src/tensor/kernels/types.js';
import { createWorkerKernels, type WorkerKernels } from '../../src/tensor/kernels/worker-kernels.js';
import { bipartiteAdjacency, dropEntries, sparseOperand } from '../../src/tensor/sparse.js';
import { createParam, createTape, zeroGrads } from '../../src/tensor/tape.js';
import { createRng } from '../../src/util/rng.js';
import { kernelCases } from './kernel-cases.js';
import { tempDir } from '../helpers/temp-dir.js';

// One pool per configuration for the whole file (starting workers under tsx takes about a second each).
const pools = new Map<string, Promise<WorkerKernels>>();
const pool = (threads: number, gemm: 'scalar' | 'auto'): Promise<WorkerKernels> => {
  const key = `${threads}/${gemm}`;
  if (!pools.has(key)) pools.set(key, createWorkerKernels({ threads, gemm, minParallelWork: 0 }));
  return pools.get(key)!;
};
after(async () => {
  for (const p of pools.values()) await (await p).close();
});

// Scalar GEMM in the workers: everything must equal the reference bit for bit.
for (const threads of [1, 2, 3]) kernelCases(`worker, ${threads} thread(s), scalar gemm`, () => pool(threads, 'scalar'), scalarKernels);
// The default GEMM (wasm SIMD when built) accumulates in float32: equal to the reference within rounding.
kernelCases('worker, 2 threads, default gemm', () => pool(2, 'auto'), scalarKernels, { gemmTol: 1e-4 });

/** A few Adam steps of a LightGCN-like model with BPR, InfoNCE and an MLP: the parameters after training. */
function train(k: Kernels): Float32Array[] {
  const rng = createRng(2023);
  const users = 61, items = 47, d = 13;
  const indptr = new Int32Array(users + 1), idx: number[] = [];
  for (let u = 0; u < users; u++) {
    const s = new Set<number>();
    for (let e = 0; e < 1 + (u % 9); e++) s.add(rng.int(items));
    idx.push(...[...s].sort((a, b) => a - b));
    indptr[u + 1] = idx.length;
  }
  const adj = bipartiteAdjacency({ rows: users, cols: items, indptr, indices: Int32Array.from(idx) });
  const emb = createParam('emb', users + items, d), w = createParam('w', d, 9), prof = createParam('prof', users, 9);
  for (const p of [emb, w, prof]) xavierUniform(p.value, rng.derive(p.name));
  const params = [emb, w, prof];
  const adam = createAdam(params, { lr: 0.01, weightDecay: 1e-4 }, k);
  const t = createTape(k);
  for (let step = 0; step < 4; step++) {
    const op = sparseOperand(dropEntries(adj, 0.8, rng.derive(`drop${step}`)));
    const b = Int32Array.from({ length: 40 }, () => rng.int(users));
    const pos = Int32Array.from({ length: 40 }, () => users + rng.int(items));
    const neg = Int32Array.from({ length: 40 }, () => users + rng.int(items));
    t.reset();
    zeroGrads(params);
    const e0 = t.param(emb), e1 = F.spmm(t, op, e0), e2 = F.spmm(t, op, e1);
    const e = F.scale(t, F.add(t, F.add(t, e0, e1), e2), 1 / 3);
    const u = F.gatherRows(t, e, b);
    const bpr = F.bprLoss(t, u, F.gatherRows(t, e, pos), F.gatherRows(t, e, neg));
    const h = F.leakyRelu(t, F.matmul(t, u, t.param(w)));
    const nce = F.infoNce(t, h, F.gatherRows(t, t.param(prof), b), t.param(prof), 0.2);
    const reg = F.scale(t, F.add(t, F.sumSquares(t, t.param(emb)), F.sumSquares(t, t.param(w))), 1e-4);
    t.backward(F.add(t, F.add(t, bpr, F.scale(t, nce, 1 / 40)), reg));
    adam.step();
  }
  return params.map((p) => Float32Array.from(p.value.data));
}

test('training is bit-identical for 1, 2 and 3 threads (scalar and default gemm)', async () => {
  for (const gemm of ['scalar', 'auto'] as const) {
    const results: Float32Array[][] = [];
    for (const threads of [1, 2, 3]) results.push(train(await pool(threads, gemm)));
    results.forEach((r, t) => r.forEach((p, i) => assert.deepEqual(p, results[0][i], `${gemm} gemm, ${t + 1} threads, param ${i}`)));
    if (gemm === 'scalar') train(scalarKernels).forEach((p, i) => assert.deepEqual(p, results[0][i], 'scalar table'));
  }
});

test('an error inside a kernel surfaces on the calling thread and the pool stays usable', async () => {
  const k = await createWorkerKernels({ threads: 2, minParallelWork: 0 });
  try {
    if (k.gemmKind === 'wasm') {
      // The wasm GEMM validates lengths; C is too short on both threads' parts.
      assert.throws(() => k.gemm(new Float32Array(64 * 4), new Float32Array(4 * 4), new Float32Array(10), 64, 4, 4, false, false, false), /gemm/);
    }
    const y = new Float32Array(4);
    k.add(Float32Array.of(1, 2, 3, 4), Float32Array.of(1, 1, 1, 1), y, 4);
    assert.deepEqual(Array.from(y), [2, 3, 4, 5]);
  } finally {
    await k.close();
  }
  assert.throws(() => k.add(new Float32Array(1), new Float32Array(1), new Float32Array(1), 1), /after close/);
});

test('rejects a bad thread count', async () => {
  await assert.rejects(createWorkerKernels({ threads: 0 }), /threads must be an integer/);
});

test('a process that never calls close() still exits', () => {
  const dir = tempDir('workers');
  const script = join(dir, 'no-close.mts');
  const src = resolve(import.meta.dirname, '../../src/tensor/kernels/worker-kernels.ts');
  writeFileSync(script, [
    `import { createWorkerKernels } from ${JSON.stringify(src)};`,
    'const k = await createWorkerKernels({ threads: 2, minParallelWork: 0 });',
    'const y = new Float32Array(8);',
    'k.scale(Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8), 2, y, 8);',
    'console.log(y.join(","));',
  ].join('\n'));
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: resolve(import.meta.dirname, '../..'), encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '2,4,6,8,10,12,14,16');
});

test('prefetchSumSquares: the worker\'s sum equals the serial one; a kernel writing the array, or another array, recomputes', async () => {
  const k = await pool(2, 'scalar'), rng = createRng(77);
  const p = createParam('w', 300, 7), q = createParam('v', 300, 7), n = 300 * 7;
  for (let i = 0; i < n; i++) {
    p.value.data[i] = (2 * rng.next() - 1) * 10 ** -rng.int(4);
    q.value.data[i] = 2 * rng.next() - 1;
  }
  const want = scalarKernels.sumSquares(p.value.data, n);
  k.prefetchSumSquares(p.value.data, n);
  // Work on other arrays in between (dispatches wait for the background sum first).
  k.axpy(0.5, q.value.data, q.grad.data, n);
  assert.equal(k.sumSquares(p.value.data, n), want);
  // Taken once: the next call computes afresh (same value).
  assert.equal(k.sumSquares(p.value.data, n), want);
  // A kernel that writes into the array drops the prefetched value.
  k.prefetchSumSquares(p.value.data, n);
  k.axpy(1, q.value.data, p.value.data, n);
  const after = scalarKernels.sumSquares(p.value.data, n);
  assert.notEqual(after, want);
  assert.equal(k.sumSquares(p.value.data, n), after);
  // Another array, or another length, is summed on the calling thread.
  k.prefetchSumSquares(p.value.data, n);
  assert.equal(k.sumSquares(q.value.data, n), scalarKernels.sumSquares(q.value.data, n));
  assert.equal(k.sumSquares(p.value.data, n - 1), scalarKernels.sumSquares(p.value.data, n - 1));
  // A non-shared array is not prefetched (the hint is ignored).
  const plain = Float32Array.from(q.value.data);
  k.prefetchSumSquares(plain, n);
  assert.equal(k.sumSquares(plain, n), scalarKernels.sumSquares(plain, n));
});
