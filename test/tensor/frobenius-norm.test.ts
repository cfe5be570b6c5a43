import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkOpGradient } from '../../src/tensor/gradcheck.js';
import { scalarKernels } from '../../src/tensor/kernels/scalar.js';
import { frobeniusNorm } from '../../src/tensor/ops/frobenius-norm.js';
import { createParam, createTape } from '../../src/tensor/tape.js';

test('frobeniusNorm: gradient matches central differences (float64, h=1e-6)', () => {
  for (const seed of [1, 2, 3]) {
    for (const c of checkOpGradient(frobeniusNorm, { seed })) assert.ok(Number.isFinite(c.analytic) && c.analytic !== 0);
  }
});

test('frobeniusNorm: value sqrt(Σx²), gradient x/‖x‖, zero gradient at zero', () => {
  const t = createTape(scalarKernels);
  const p = createParam('x', 1, 2);
  p.value.data.set([3, 4]);
  const n = t.run(frobeniusNorm, [t.param(p)], undefined);
  assert.equal(t.scalar(n), 5);
  t.backward(n);
  assert.deepEqual(Array.from(p.grad.data), [0.6000000238418579, 0.800000011920929]);
  const z = createParam('z', 1, 2);
  t.reset();
  t.backward(t.run(frobeniusNorm, [t.param(z)], undefined));
  assert.deepEqual(Array.from(z.grad.data), [0, 0]);
});
