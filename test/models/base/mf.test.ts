import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMf, MfConfig } from '../../../src/models/base/mf.js';
import { scalarKernels } from '../../../src/tensor/kernels/scalar.js';
import { createTape } from '../../../src/tensor/tape.js';
import { createRng } from '../../../src/util/rng.js';
import { baseModelContract } from '../../contracts/base-model.js';

baseModelContract('mf', { dim: 8 });

const R = { rows: 2, cols: 3, indptr: Int32Array.of(0, 2, 4), indices: Int32Array.of(0, 1, 1, 2) };

test('scores are dot products of the user and item tables', () => {
  const m = createMf(MfConfig.parse({ dim: 2 }), { train: R, kernels: scalarKernels, rng: createRng(1) });
  m.params[0].value.data.set([1, 2, -1, 0]);
  m.params[1].value.data.set([3, 0, 0, 1, 1, 1]);
  const out = new Float32Array(6);
  m.freeze().scoreBatch(Int32Array.of(1, 0), out);
  assert.deepEqual(Array.from(out), [-3, 0, -1, 3, 2, 3]);
  assert.throws(() => m.freeze().scoreBatch(Int32Array.of(2), out), /out of range/);
});

test('batch L2 is λ·½(‖p_u‖² + ‖q_i‖² + ‖q_j‖²)/|B|; BPR at zero scores is ln 2', () => {
  const m = createMf(MfConfig.parse({ dim: 2, regWeight: 0.1 }), { train: R, kernels: scalarKernels, rng: createRng(1) });
  m.params[0].value.data.set([1, 0, 0, 0]);
  m.params[1].value.data.set([0, 1, 0, 2, 0, 0]);
  const t = createTape(scalarKernels);
  const ctx = { epoch: 1, step: 0, rng: createRng(1) };
  const terms = m.loss(t, m.embed(t, ctx), { users: Int32Array.of(0), pos: Int32Array.of(0), neg: Int32Array.of(1) }, ctx);
  assert.ok(Math.abs(t.scalar(terms.bpr) - Math.LN2) < 1e-6);
  assert.ok(Math.abs(t.scalar(terms.reg) - 0.1 * 0.5 * (1 + 1 + 4)) < 1e-6);
});
