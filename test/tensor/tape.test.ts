import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as F from '../../src/tensor/fn.js';
import { checkGraphGradient } from '../../src/tensor/gradcheck.js';
import { scalarKernels } from '../../src/tensor/kernels/scalar.js';
import { randMat } from '../../src/tensor/ops/sample.js';
import { bipartiteAdjacency, dropEntries, sparseOperand } from '../../src/tensor/sparse.js';
import { createParam, createTape, createTape64, type Param, zeroGrads } from '../../src/tensor/tape.js';
import { matrix } from '../../src/tensor/tensor.js';
import { createRng } from '../../src/util/rng.js';

function param64(name: string, rows: number, cols: number, seed: number): Param<Float64Array> {
  const value = randMat(createRng(seed), rows, cols);
  return { name, value, grad: randMat(createRng(seed + 100), rows, cols) };
}

test('diamond: a value used twice receives both gradient contributions', () => {
  const t = createTape(scalarKernels);
  const p = createParam('x', 1, 3);
  p.value.data.set([1, 2, 3]);
  const x = t.param(p);
  const y = F.scale(t, x, 2); // y = 2x
  const z = F.mul(t, y, y); // z = y ⊙ y = 4x²
  const loss = F.sum(t, F.add(t, z, y)); // Σ 4x² + 2x → d/dx = 8x + 2
  t.backward(loss);
  assert.equal(t.scalar(loss), 4 * (1 + 4 + 9) + 2 * 6);
  assert.deepEqual(Array.from(p.grad.data), [10, 18, 26]);
});

test('gradients accumulate across backward passes until zeroGrads', () => {
  const t = createTape(scalarKernels);
  const p = createParam('w', 2, 2);
  p.value.data.set([1, -2, 3, 4]);
  for (let step = 0; step < 2; step++) {
    t.reset();
    t.backward(F.sumSquares(t, t.param(p)));
  }
  assert.deepEqual(Array.from(p.grad.data), [4, -8, 12, 16]);
  zeroGrads([p]);
  assert.deepEqual(Array.from(p.grad.data), [0, 0, 0, 0]);
});

test('param() returns one node per parameter; constants get no gradient', () => {
  const t = createTape(scalarKernels);
  const p = createParam('w', 1, 2);
  const c = t.constant(matrix(1, 2, Float32Array.of(5, 7)));
  assert.equal(t.param(p), t.param(p));
  p.value.data.set([1, 1]);
  const loss = F.sum(t, F.mul(t, t.param(p), c));
  t.backward(loss);
  assert.deepEqual(Array.from(p.grad.data), [5, 7]);
  assert.equal(t.grad(c), null);
});

test('a branch that does not reach the loss is skipped', () => {
  const t = createTape(scalarKernels);
  const p = createParam('w', 1, 2);
  p.value.data.set([1, 2]);
  const x = t.param(p);
  const unused = F.scale(t, x, 3);
  t.backward(F.sum(t, x));
  assert.equal(t.grad(unused), null);
  assert.deepEqual(Array.from(p.grad.data), [1, 1]);
});

test('reset() recycles buffers: a repeated step allocates nothing new', () => {
  const t = createTape(scalarKernels);
  const p = createParam('w', 8, 4);
  const step = () => {
    t.reset();
    const h = F.leakyRelu(t, F.matmul(t, t.param(p), t.param(p), false, true));
    t.backward(F.mean(t, F.softmaxRows(t, h)));
  };
  step();
  const after1 = t.freshAllocations;
  for (let i = 0; i < 3; i++) step();
  assert.equal(t.freshAllocations, after1);
  assert.ok(after1 > 0);
});

test('reset() drops buffers of shapes the last step did not use, so varying shapes do not accumulate', () => {
  const t = createTape(scalarKernels);
  const step = (rows: number) => {
    t.reset();
    const x = t.constant(matrix(rows, 3));
    F.softmaxRows(t, F.scale(t, x, 2));
  };
  step(5);
  const afterA = t.freshAllocations;
  step(7);
  const afterB = t.freshAllocations;
  assert.ok(afterB > afterA);
  step(7);
  assert.equal(t.freshAllocations, afterB, 'same shapes again: recycled');
  step(5);
  assert.ok(t.freshAllocations > afterB, 'the 5-row buffers were dropped when the 7-row step ended');
});

test('keepSteps n: a shape unused for fewer than n steps is recycled, then dropped', () => {
  const t = createTape(scalarKernels, 3);
  const step = (rows: number) => {
    t.reset();
    F.softmaxRows(t, F.scale(t, t.constant(matrix(rows, 3)), 2));
  };
  step(5);
  step(7);
  const warm = t.freshAllocations;
  step(7);
  step(5);
  assert.equal(t.freshAllocations, warm, 'the 5-row buffers sat out two steps: recycled');
  step(7);
  step(7);
  step(7);
  step(5);
  assert.ok(t.freshAllocations > warm, 'three steps without them: dropped');
});

test('backward rejects a non-scalar loss and run rejects a stale node', () => {
  const t = createTape(scalarKernels);
  const x = t.constant(matrix(2, 2));
  assert.throws(() => t.backward(x), /loss must be a 1x1 node/);
  t.reset();
  assert.throws(() => F.relu(t, x), /relu: unknown node 0/);
});

test('graph gradient: LightGCN-style propagation + BPR + InfoNCE against gathered candidates', () => {
  // 3 users × 4 items, edge-dropped (non-symmetric) adjacency, two layers, mean of layers.
  const r = { rows: 3, cols: 4, indptr: Int32Array.of(0, 2, 3, 5), indices: Int32Array.of(0, 2, 1, 2, 3) };
  const adj = sparseOperand(dropEntries(bipartiteAdjacency(r), 0.8, createRng(5)));
  const emb = param64('emb', 7, 3, 1);
  const prof = param64('prof', 3, 3, 2);
  const users = Int32Array.of(0, 2, 1), pos = Int32Array.of(3, 5, 4), neg = Int32Array.of(6, 4, 3);
  const check = checkGraphGradient([emb, prof], (t) => {
    const e0 = t.param(emb);
    const e1 = F.spmm(t, adj, e0);
    const e2 = F.spmm(t, adj, e1);
    const e = F.scale(t, F.add(t, F.add(t, e0, e1), e2), 1 / 3);
    const u = F.gatherRows(t, e, users);
    const bpr = F.bprLoss(t, u, F.gatherRows(t, e, pos), F.gatherRows(t, e, neg));
    const allProf = t.param(prof);
    const nce = F.infoNce(t, u, F.gatherRows(t, allProf, users), allProf, 0.2);
    const items = F.gatherRows(t, e, pos);
    const itemNce = F.infoNce(t, items, items, items, 0.5); // b and C are the same node
    return F.add(t, F.add(t, bpr, F.scale(t, nce, 1 / 3)), F.scale(t, itemNce, 0.1));
  });
  assert.ok(Math.abs(check.analytic) > 1e-3);
});

test('float64 tape records the same graph as float32 up to rounding', () => {
  const p32 = createParam('w', 3, 2);
  p32.value.data.set([0.5, -1, 2, 0.25, -0.75, 1.5]);
  const p64: Param<Float64Array> = { name: 'w', value: { rows: 3, cols: 2, data: Float64Array.from(p32.value.data) }, grad: { rows: 3, cols: 2, data: new Float64Array(6) } };
  const t32 = createTape(scalarKernels), t64 = createTape64(scalarKernels);
  const l32 = F.sum(t32, F.tanh(t32, F.rowL2Normalize(t32, t32.param(p32))));
  const l64 = F.sum(t64, F.tanh(t64, F.rowL2Normalize(t64, t64.param(p64))));
  t32.backward(l32);
  t64.backward(l64);
  assert.ok(Math.abs(t32.scalar(l32) - t64.scalar(l64)) < 1e-6);
  for (let i = 0; i < 6; i++) assert.ok(Math.abs(p32.grad.data[i] - p64.grad.data[i]) < 1e-6);
});

test('graph gradient: ssl_con_loss (MCS) and self-distillation built from primitives', () => {
  const x = param64('x', 5, 4, 3), e = param64('e', 5, 4, 4), tch = param64('tch', 5, 4, 5);
  const check = checkGraphGradient([x, e, tch], (t) => {
    // −mean log( exp(cos(x_n, e_n)/τ) / (Σ_m exp(cos(x_n, e_m)/τ) + 1e-8) + 1e-8 ), τ = 1
    const xn = F.rowL2Normalize(t, t.param(x)), en = F.rowL2Normalize(t, t.param(e));
    const num = F.exp(t, F.rowDot(t, xn, en));
    const den = F.addConst(t, F.sumRows(t, F.exp(t, F.matmul(t, xn, en, false, true))), 1e-8);
    const mcs = F.scale(t, F.mean(t, F.log(t, F.addConst(t, F.div(t, num, den), 1e-8))), -1);
    // −mean_n Σ_k softmax(teacher)_k · log softmax(student)_k, plus a sub to cover it
    const dist = F.scale(t, F.sum(t, F.mul(t, F.softmaxRows(t, t.param(tch)), F.logSoftmaxRows(t, F.sub(t, t.param(x), t.param(e))))), -1 / 5);
    return F.add(t, mcs, dist);
  });
  assert.ok(Math.abs(check.analytic) > 1e-3);
});
