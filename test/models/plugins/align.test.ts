import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignmentLoss, batchRows, createTextProjection, infoNceWeighted } from '../../../src/models/plugins/align.js';
import { createProjector } from '../../../src/models/plugins/projector.js';
import { bucket, distinct } from '../../../src/models/plugins/rows.js';
import * as F from '../../../src/tensor/fn.js';
import { scalarKernels } from '../../../src/tensor/kernels/scalar.js';
import { createParam, createTape, type Tape } from '../../../src/tensor/tape.js';
import { matrix } from '../../../src/tensor/tensor.js';
import { createRng } from '../../../src/util/rng.js';

const randomConst = (t: Tape, rows: number, cols: number, seed: number) => {
  const m = matrix(rows, cols), rng = createRng(seed);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal();
  return t.constant(m);
};

test('distinct: ids with text in first-appearance order, counts, bucketed padding', () => {
  const mask = Uint8Array.of(1, 1, 0, 1, 1);
  const d = distinct(Int32Array.of(4, 1, 4, 2, 4, 1, 0), mask, 5);
  assert.deepEqual([Array.from(d.ids), Array.from(d.counts), d.size, d.total], [[4, 1, 0], [3, 2, 1], 3, 6]);
  assert.deepEqual([bucket(0), bucket(16), bucket(17), bucket(1000), bucket(1024), bucket(1025), bucket(3001)], [0, 16, 18, 1024, 1024, 1152, 3072]);
  const big = distinct(Int32Array.from({ length: 40 }, (_, i) => i % 37), new Uint8Array(40).fill(1), 40);
  assert.deepEqual([big.size, big.ids.length, big.total, big.counts[36], big.counts[37], big.ids[39]], [37, 40, 40, 1, 0, 0]);
});

test('infoNceWeighted on distinct rows equals infoNce on the rows with their duplicates (value and gradients)', () => {
  const weights = Float32Array.of(2, 1, 0, 3), counts = Float32Array.of(1, 3, 2);
  const rowsA = Int32Array.of(0, 0, 1, 3, 3, 3), rowsC = Int32Array.of(0, 1, 1, 1, 2, 2);
  const pa = createParam('a', 4, 5), pc = createParam('c', 3, 5);
  const run = (weighted: boolean): [number, Float32Array, Float32Array] => {
    const t = createTape(scalarKernels);
    pa.value.data.set(t.value(randomConst(t, 4, 5, 1)).data);
    pc.value.data.set(t.value(randomConst(t, 3, 5, 3)).data);
    pa.grad.data.fill(0);
    pc.grad.data.fill(0);
    const a = t.param(pa), b = randomConst(t, 4, 5, 2), c = t.param(pc);
    const loss = weighted
      ? infoNceWeighted(t, a, b, c, 0.3, weights, counts)
      : F.infoNce(t, F.gatherRows(t, a, rowsA), F.gatherRows(t, b, rowsA), F.gatherRows(t, c, rowsC), 0.3);
    t.backward(loss);
    return [t.scalar(loss), pa.grad.data.slice(), pc.grad.data.slice()];
  };
  const [want, ga, gc] = run(false), [got, wa, wc] = run(true);
  assert.ok(Math.abs(got - want) < 1e-5 * Math.abs(want), `${got} vs ${want}`);
  for (const [x, y] of [[wa, ga], [wc, gc]]) x.forEach((v, i) => assert.ok(Math.abs(v - y[i]) < 1e-5, `${v} vs ${y[i]}`));
  assert.ok(ga.some((v) => v !== 0) && gc.some((v) => v !== 0));
});

test('alignmentLoss on a batch with repeats equals the per-row InfoNCE sum of method.md §B.4.2', () => {
  const nu = 6, ni = 7, dt = 8, d = 4;
  const pair = { users: matrix(nu, dt), items: matrix(ni, dt), userMask: Uint8Array.of(1, 1, 1, 0, 1, 1), itemMask: Uint8Array.of(1, 1, 1, 1, 0, 1, 1) };
  const rng = createRng(5);
  for (const m of [pair.users, pair.items]) for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal();
  const proj = createProjector('p', dt, d, createRng(6));
  const batch = { users: Int32Array.of(0, 1, 1, 3, 5, 0, 2), pos: Int32Array.of(2, 2, 4, 6, 1, 1, 2), neg: Int32Array.of(0, 3, 3, 5, 6, 4, 3) };
  for (const userCandidates of ['all', 'batch'] as const) {
    const t = createTape(scalarKernels);
    const eu = randomConst(t, nu, d, 7), ei = randomConst(t, ni, d, 8);
    const rows = batchRows(batch, pair);
    const p = createTextProjection(pair, proj, userCandidates).project(t, rows);
    const got = t.scalar(alignmentLoss(t, { users: eu, items: ei }, p, rows, { temperature: 0.2, userCandidates })!);
    // Reference: every batch row with text, duplicates kept, through the dense op.
    const keep = (ids: Int32Array, mask: Uint8Array) => Int32Array.from([...ids].filter((v) => mask[v] === 1));
    const su = proj.forward(t, t.constant(pair.users)), si = proj.forward(t, t.constant(pair.items));
    const users = keep(batch.users, pair.userMask), textUsers = Int32Array.from([0, 1, 2, 4, 5]);
    const pu = F.gatherRows(t, su, users);
    let want = t.scalar(F.infoNce(t, F.gatherRows(t, eu, users), pu, userCandidates === 'all' ? F.gatherRows(t, su, textUsers) : pu, 0.2)) / users.length;
    for (const side of [batch.pos, batch.neg]) {
      const items = keep(side, pair.itemMask), pi = F.gatherRows(t, si, items);
      want += t.scalar(F.infoNce(t, F.gatherRows(t, ei, items), pi, pi, 0.2)) / items.length;
    }
    assert.ok(Math.abs(got - want) < 1e-5 * want, `${userCandidates}: ${got} vs ${want}`);
  }
});
