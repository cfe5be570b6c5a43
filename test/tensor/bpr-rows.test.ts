import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import * as F from '../../src/tensor/fn.js';
import { scalarKernels } from '../../src/tensor/kernels/scalar.js';
import type { Kernels } from '../../src/tensor/kernels/types.js';
import { createWorkerKernels, type WorkerKernels } from '../../src/tensor/kernels/worker-kernels.js';
import { OPS } from '../../src/tensor/ops/index.js';
import { createParam, createTape, type Param } from '../../src/tensor/tape.js';
import { createRng, type Rng } from '../../src/util/rng.js';

const pools: WorkerKernels[] = [];
after(async () => {
  for (const p of pools) await p.close();
});

function table(rng: Rng, name: string, rows: number, cols: number, grad: boolean): Param {
  const p = createParam(name, rows, cols);
  for (let i = 0; i < rows * cols; i++) {
    p.value.data[i] = (2 * rng.next() - 1) * 10 ** -rng.int(3);
    // Non-zero starting gradients: both forms must add into them the same way.
    if (grad) p.grad.data[i] = i % 3 === 0 ? 0 : 2 * rng.next() - 1;
  }
  return p;
}

/** The loss and both gradients of LightGCN's unfused BPR (three gathers and bprLoss) or of the fused op. */
function run(k: Kernels, fused: boolean, seed: number, numUsers: number, numItems: number, batch: number, cols: number) {
  const rng = createRng(seed);
  const users = table(rng, 'u', numUsers, cols, true), items = table(rng, 'i', numItems, cols, true);
  const ui = new Int32Array(batch), pi = new Int32Array(batch), qi = new Int32Array(batch);
  for (let b = 0; b < batch; b++) {
    ui[b] = rng.int(numUsers);
    pi[b] = rng.int(numItems);
    qi[b] = b % 5 === 0 ? pi[b] : rng.int(numItems); // a row that is both positive and negative
  }
  const t = createTape(k);
  const u = t.param(users), it = t.param(items);
  const loss = fused
    ? t.run(OPS.bprRows, [u, it], { users: ui, pos: pi, neg: qi })
    : F.bprLoss(t, F.gatherRows(t, u, ui), F.gatherRows(t, it, pi), F.gatherRows(t, it, qi));
  const value = t.scalar(loss);
  t.backward(F.scale(t, loss, 0.7));
  return { value, du: users.grad.data, di: items.grad.data };
}

function same(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.fail(`${what}[${i}]: ${a[i]} vs ${b[i]}`);
}

test('bprRows: loss and gradients bit-identical to gatherRows × 3 + bprLoss, one thread and the pool', async () => {
  const tables: [string, Kernels][] = [['scalar', scalarKernels]];
  for (const threads of [2, 3]) {
    const k = await createWorkerKernels({ threads, minParallelWork: 0 });
    pools.push(k);
    tables.push([`worker-${threads}`, k]);
  }
  for (const [name, k] of tables) {
    for (const [seed, nu, ni, batch, cols] of [[1, 7, 5, 23, 3], [2, 40, 31, 300, 32], [3, 1, 1, 4, 8], [4, 50, 60, 0, 4]]) {
      const want = run(scalarKernels, false, seed, nu, ni, batch, cols), got = run(k, true, seed, nu, ni, batch, cols);
      assert.ok(Object.is(got.value, want.value), `${name} seed ${seed}: loss ${got.value} vs ${want.value}`);
      same(got.du, want.du, `${name} seed ${seed} users grad`);
      same(got.di, want.di, `${name} seed ${seed} items grad`);
    }
  }
});

test('bprRows: rejects an index outside its table and mismatched lengths', () => {
  const t = createTape(scalarKernels), rng = createRng(9);
  const u = t.param(table(rng, 'u', 3, 2, false)), it = t.param(table(rng, 'i', 4, 2, false));
  const ok = Int32Array.of(0, 1);
  assert.throws(() => t.run(OPS.bprRows, [u, it], { users: ok, pos: Int32Array.of(0, 4), neg: ok }), /bprRows: index\[1\] = 4 is outside \[0, 4\)/);
  assert.throws(() => t.run(OPS.bprRows, [u, it], { users: Int32Array.of(3, 0), pos: ok, neg: ok }), /outside \[0, 3\)/);
  assert.throws(() => t.run(OPS.bprRows, [u, it], { users: ok, pos: ok, neg: Int32Array.of(0) }), /one length/);
});
