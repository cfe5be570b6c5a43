import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../src/util/rng.js';
import { checkOpGradient } from '../../src/tensor/gradcheck.js';
import { scalarKernels } from '../../src/tensor/kernels/scalar.js';
import { OPS } from '../../src/tensor/ops/index.js';
import { matmul } from '../../src/tensor/ops/matmul.js';
import type { AnyOp } from '../../src/tensor/ops/op.js';
import { randMat } from '../../src/tensor/ops/sample.js';
import { matrix64 } from '../../src/tensor/tensor.js';

// Every registered op, three seeds each: the registry is the list, so no op ships without this test.
for (const op of Object.values(OPS) as AnyOp[]) {
  test(`${op.name}: gradient matches central differences (float64, h=1e-6)`, () => {
    for (const seed of [1, 2, 3]) {
      const checks = checkOpGradient(op, { seed });
      assert.ok(checks.length >= 1);
      for (const c of checks) assert.ok(Number.isFinite(c.analytic) && c.analytic !== 0, `${op.name}: degenerate check`);
    }
  });
}

test('matmul: gradient for all four transpose combinations and non-square shapes', () => {
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      const rng = createRng(7);
      const [m, k, n] = [3, 4, 2];
      const a = transA ? randMat(rng, k, m) : randMat(rng, m, k);
      const b = transB ? randMat(rng, n, k) : randMat(rng, k, n);
      const checks = checkOpGradient(matmul, { sample: { inputs: [a, b], attrs: { transA, transB } } });
      assert.equal(checks.length, 2);
    }
  }
});

test('gradient check catches an op that assigns instead of accumulating', () => {
  const assigning: AnyOp = {
    ...OPS.scale,
    name: 'scaleAssigning',
    backward: (k, _xs, _y, dy, [dx], { s }) => {
      if (dx) k.scale(dy.data, s, dx.data, dx.rows * dx.cols);
    },
  };
  assert.throws(() => checkOpGradient(assigning), /scaleAssigning: gradient of input 0/);
});

test('gradient check catches a forward that leaves outputs unwritten', () => {
  const partial: AnyOp = {
    ...OPS.relu,
    name: 'reluPartial',
    forward: (k, [x], y) => k.relu(x.data, y.data, y.rows * y.cols - 1),
  };
  assert.throws(() => checkOpGradient(partial), /reluPartial/);
});

test('ops reject wrong shapes with the op name', () => {
  const s = [[2, 3], [3, 2]] as const;
  assert.throws(() => OPS.add.outShape(s, undefined), /add: shapes differ/);
  assert.throws(() => OPS.matmul.outShape(s.map((x) => x), { transA: true, transB: false }), /matmul: inner dimensions differ/);
  assert.throws(() => OPS.gatherRows.outShape([[4, 2]], { index: Int32Array.of(0, 4) }), /index\[1\] = 4 is outside \[0, 4\)/);
  assert.throws(() => OPS.sliceCols.outShape([[4, 2]], { start: 1, width: 2 }), /sliceCols: columns \[1, 3\) out of range/);
});

test('infoNce forward equals the unfused formula of method.md §B.4', () => {
  const rng = createRng(3);
  const [a, b, c] = [randMat(rng, 3, 4), randMat(rng, 3, 4), randMat(rng, 5, 4)];
  const tau = 0.2;
  const y = matrix64(1, 1);
  const scratch = new Float64Array(OPS.infoNce.scratch!([[3, 4], [3, 4], [5, 4]], { temperature: tau, eps: 1e-8 }));
  OPS.infoNce.forward(scalarKernels, [a, b, c], y, { temperature: tau, eps: 1e-8 }, scratch);
  const row = (m: typeof a, i: number) => Array.from(m.data.subarray(i * 4, i * 4 + 4));
  const norm = (v: number[]) => v.map((x) => x / Math.sqrt(1e-8 + v.reduce((s, t) => s + t * t, 0)));
  const cos = (u: number[], v: number[]) => norm(u).reduce((s, x, j) => s + x * norm(v)[j], 0);
  let expected = 0;
  for (let n = 0; n < 3; n++) {
    let z = 0;
    for (let j = 0; j < 5; j++) z += Math.exp(cos(row(a, n), row(c, j)) / tau);
    expected += -cos(row(a, n), row(b, n)) / tau + Math.log(z);
  }
  assert.ok(Math.abs(y.data[0] - expected) < 1e-12, `${y.data[0]} vs ${expected}`);
});

test('bprLoss forward equals mean softplus(neg − pos)', () => {
  const rng = createRng(4);
  const [u, p, q] = [randMat(rng, 2, 3), randMat(rng, 2, 3), randMat(rng, 2, 3)];
  const y = matrix64(1, 1);
  OPS.bprLoss.forward(scalarKernels, [u, p, q], y, undefined, new Float64Array(0));
  let expected = 0;
  for (let i = 0; i < 2; i++) {
    let pos = 0, neg = 0;
    for (let j = 0; j < 3; j++) {
      pos += u.data[i * 3 + j] * p.data[i * 3 + j];
      neg += u.data[i * 3 + j] * q.data[i * 3 + j];
    }
    expected += Math.log(1 + Math.exp(neg - pos)) / 2;
  }
  assert.ok(Math.abs(y.data[0] - expected) < 1e-14);
});
