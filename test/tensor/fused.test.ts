import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as F from '../../src/tensor/fn.js';
import { checkGraphGradient, checkOpGradient } from '../../src/tensor/gradcheck.js';
import { scalarKernels } from '../../src/tensor/kernels/scalar.js';
import { addN } from '../../src/tensor/ops/add-n.js';
import { OPS } from '../../src/tensor/ops/index.js';
import { randMat } from '../../src/tensor/ops/sample.js';
import { createParam, createTape, type Param } from '../../src/tensor/tape.js';
import { createRng } from '../../src/util/rng.js';

// addN is not in the OPS registry yet, so its gradient check is spelled out here.
test('addN: gradient matches central differences (float64, h=1e-6)', () => {
  for (const seed of [1, 2, 3]) {
    const checks = checkOpGradient(addN, { seed });
    assert.equal(checks.length, 4);
    for (const c of checks) assert.ok(Number.isFinite(c.analytic) && c.analytic !== 0);
  }
});

function randomParam(name: string, rows: number, cols: number, seed: number): Param {
  const p = createParam(name, rows, cols), rng = createRng(seed);
  // Values of mixed magnitude, so float32 rounding differs between summation orders.
  for (let i = 0; i < p.value.data.length; i++) p.value.data[i] = (2 * rng.next() - 1) * 10 ** rng.int(6);
  return p;
}

test('addN: values and gradients bit-identical to a chain of adds, for 1 to 5 float32 inputs', () => {
  for (let m = 1; m <= 5; m++) {
    const ps = Array.from({ length: m }, (_, i) => randomParam(`p${i}`, 7, 5, 10 * m + i));
    const run = (fused: boolean) => {
      for (const p of ps) p.grad.data.fill(0);
      const t = createTape(scalarKernels);
      const xs = ps.map((p) => t.param(p));
      const y = fused ? F.addN(t, xs) : xs.slice(1).reduce((acc, x) => F.add(t, acc, x), xs[0]);
      const w = createParam('w', 7, 5);
      w.value.data.set(randomParam('r', 7, 5, 99).value.data);
      t.backward(F.sum(t, F.mul(t, y, t.constant(w.value))));
      return { y: Array.from(t.value(y).data), grads: ps.map((p) => Array.from(p.grad.data)) };
    };
    assert.deepEqual(run(true), run(false), `${m} inputs`);
  }
});

test('addN: shape errors name the op', () => {
  const t = createTape(scalarKernels);
  const a = t.param(createParam('a', 2, 3)), b = t.param(createParam('b', 3, 2));
  assert.throws(() => F.addN(t, [a, b]), /addN: shapes differ/);
  assert.throws(() => F.addN(t, []), /addN: needs at least one input/);
});

test('rowsView: shares the rows, and gradients equal those of a row gather', () => {
  const p = randomParam('x', 9, 4, 5);
  const top = Int32Array.from({ length: 4 }, (_, i) => i), bottom = Int32Array.from({ length: 5 }, (_, i) => 4 + i);
  const pick = Int32Array.of(0, 2, 2, 1, 3);
  const run = (view: boolean) => {
    p.grad.data.fill(0);
    const t = createTape(scalarKernels);
    const x = F.scale(t, t.param(p), 3);
    const a = view ? t.rowsView(x, 0, 4) : F.gatherRows(t, x, top);
    const b = view ? t.rowsView(x, 4, 5) : F.gatherRows(t, x, bottom);
    const loss = F.add(t, F.sumSquares(t, F.gatherRows(t, a, pick)), F.sum(t, F.mul(t, b, b)));
    t.backward(loss);
    if (view) assert.equal(t.value(a).data.buffer, t.value(x).data.buffer, 'a view, not a copy');
    return { a: Array.from(t.value(a).data), b: Array.from(t.value(b).data), loss: t.scalar(loss), grad: Array.from(p.grad.data) };
  };
  assert.deepEqual(run(true), run(false));
});

test('rowsView: float64 graph gradient check, views of views, and range errors', () => {
  const rng = createRng(3);
  const p: Param<Float64Array> = { name: 'x', value: randMat(rng, 6, 3), grad: randMat(rng, 6, 3) };
  checkGraphGradient([p], (t) => {
    const x = F.tanh(t, t.param(p));
    const mid = t.rowsView(t.rowsView(x, 1, 4), 1, 2);
    return F.add(t, F.sumSquares(t, mid), F.sum(t, F.mul(t, t.rowsView(x, 0, 3), t.rowsView(x, 3, 3))));
  });
  const t = createTape(scalarKernels);
  const x = t.param(createParam('y', 3, 2));
  assert.throws(() => t.rowsView(x, 2, 2), /rowsView: rows \[2, 4\) outside a 3x2 node/);
  assert.throws(() => t.rowsView(x, -1, 1), /rowsView/);
});

test('gradPassThrough: the tape copies dy into fresh gradients and adds it into existing ones (same as backward)', () => {
  const p = randomParam('x', 4, 3, 8), q = randomParam('y', 4, 3, 9);
  const run = (pass: boolean) => {
    p.grad.data.fill(0);
    q.grad.data.fill(0);
    const t = createTape(scalarKernels);
    const addOp = pass ? OPS.add : { ...OPS.add, gradPassThrough: undefined };
    const x = F.tanh(t, t.param(p)), y = t.param(q);
    const s1 = t.run(addOp, [x, x], undefined); // the same input twice: 2 dy
    const s2 = t.run(addOp, [s1, y], undefined); // a parameter (existing gradient) and a fresh one
    const loss = F.add(t, F.sumSquares(t, s2), F.sumSquares(t, x)); // x also gets a later-recorded contribution
    t.backward(loss);
    return { p: Array.from(p.grad.data), q: Array.from(q.grad.data) };
  };
  assert.equal(OPS.add.gradPassThrough, true);
  assert.deepEqual(run(true), run(false));
});
