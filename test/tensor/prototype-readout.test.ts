import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as F from '../../src/tensor/fn.js';
import { createFastKernels } from '../../src/tensor/kernels/fast.js';
import { scalarKernels } from '../../src/tensor/kernels/scalar.js';
import type { Kernels } from '../../src/tensor/kernels/types.js';
import { createParam, createTape } from '../../src/tensor/tape.js';
import { createRng } from '../../src/util/rng.js';

/** Value, dE and dP of a weighted sum of Z, through the fused op or the four-op chain. */
function run(k: Kernels, fused: boolean): { z: Float32Array; de: Float32Array; dp: Float32Array } {
  const rng = createRng(11), n = 37, d = 8, kk = 6;
  const e = createParam('e', n, d), p = createParam('p', d, kk), w = createParam('w', n, d);
  for (const q of [e, p, w]) for (let i = 0; i < q.value.data.length; i++) q.value.data[i] = rng.normal();
  const t = createTape(k);
  const en = t.param(e), pn = t.param(p);
  const z = fused ? F.prototypeReadout(t, en, pn) : F.rowL2Normalize(t, F.matmul(t, F.softmaxRows(t, F.matmul(t, en, pn)), pn, false, true));
  // p is used again after the read-out, so its gradient accumulates across uses as in the IME.
  const loss = F.add(t, F.sum(t, F.mul(t, z, t.param(w))), F.sumSquares(t, pn));
  t.backward(loss);
  return { z: t.value(z).data.slice(), de: e.grad.data.slice(), dp: p.grad.data.slice() };
}

test('prototypeReadout: value and gradients bit-identical to matmul → softmaxRows → matmulᵀ → rowL2Normalize', async () => {
  for (const k of [scalarKernels, await createFastKernels()]) {
    const chain = run(k, false), fused = run(k, true);
    assert.deepEqual(fused.z, chain.z, `${k.name}: Z`);
    assert.deepEqual(fused.de, chain.de, `${k.name}: dE`);
    assert.deepEqual(fused.dp, chain.dp, `${k.name}: dP`);
    assert.ok(chain.dp.some((v) => v !== 0) && chain.de.some((v) => v !== 0));
  }
});

test('prototypeReadout: unit-norm rows, and P = 0 gives Z = 0', () => {
  const t = createTape(scalarKernels);
  const e = createParam('e', 3, 4), p = createParam('p', 4, 2);
  e.value.data.set([1, 2, 3, 4, -1, 0, 2, 1, 0.5, 0.5, -2, 3]);
  assert.ok(t.value(F.prototypeReadout(t, t.param(e), t.param(p))).data.every((v) => v === 0));
  p.value.data.set([1, -1, 0.5, 2, -0.3, 0.1, 1, 1]);
  const z = t.value(F.prototypeReadout(t, t.param(e), t.constant(p.value))).data;
  for (let r = 0; r < 3; r++) {
    const norm = Math.hypot(...z.subarray(r * 4, r * 4 + 4));
    assert.ok(Math.abs(norm - 1) < 1e-6, `row ${r} has norm ${norm}`);
  }
  assert.throws(() => F.prototypeReadout(t, t.param(e), t.constant(e.value)), /prototypeReadout: E must have as many columns as P has rows/);
});
