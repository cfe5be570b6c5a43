import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RqConfig, residualCodes, trainResidualQuantizer } from '../../../src/models/plugins/rq.js';
import { scalarKernels } from '../../../src/tensor/kernels/scalar.js';
import { matrix } from '../../../src/tensor/tensor.js';
import { createRng } from '../../../src/util/rng.js';

/** 6 clusters in 16 d (random centres of norm ~8), σ = 0.2; row 7 has no text. */
function data() {
  const rng = createRng(3), k = 6, d = 16, n = 240;
  const centres = Array.from({ length: k }, () => Float32Array.from({ length: d }, () => 2 * rng.normal()));
  const x = matrix(n, d), label = new Int32Array(n), mask = new Uint8Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    label[i] = i % k;
    for (let q = 0; q < d; q++) x.data[i * d + q] = centres[i % k][q] + 0.2 * rng.normal();
  }
  mask[7] = 0;
  x.data.fill(0, 7 * d, 8 * d);
  return { x, label, mask };
}

const cfg = (epochs: number) => RqConfig.parse({ hidden: [16, 8], codeDim: 4, levels: 2, epochs, batchSize: 64, lr: 3e-3, kmeansIterations: 20 });

test('RQ: first-level codes recover the clusters; rows without text get the "none" code', () => {
  const { x, label, mask } = data();
  const r = trainResidualQuantizer(x, mask, 6, cfg(30), createRng(1), scalarKernels);
  assert.equal(r.codes.length, 240 * 2);
  assert.deepEqual(Array.from(r.codes.subarray(14, 16)), [6, 6]);
  const map = new Map<number, number>();
  for (let i = 0; i < 240; i++) {
    if (i === 7) continue;
    const c = r.codes[i * 2], had = map.get(c);
    if (had === undefined) map.set(c, label[i]);
    else assert.equal(had, label[i], `row ${i}`);
  }
  assert.equal(map.size, 6);
  assert.equal(r.used[0], 6);
  assert.ok(r.distinct > 6, `${r.distinct} distinct tuples`);
});

test('RQ: training lowers the L1 reconstruction error; codes are deterministic per seed and cached', () => {
  const { x, mask } = data();
  const before = trainResidualQuantizer(x, mask, 6, cfg(0), createRng(1), scalarKernels);
  const after = trainResidualQuantizer(x, mask, 6, cfg(40), createRng(1), scalarKernels);
  assert.ok(after.l1 < 0.8 * before.l1, `L1 ${before.l1} -> ${after.l1}`);
  const again = trainResidualQuantizer(x, mask, 6, cfg(40), createRng(1), scalarKernels);
  assert.deepEqual(again.codes, after.codes);
  const other = trainResidualQuantizer(x, mask, 6, cfg(40), createRng(2), scalarKernels);
  assert.notDeepEqual(other.codes, after.codes);
  const c1 = residualCodes(x, mask, 6, cfg(5), createRng(1), scalarKernels);
  assert.equal(residualCodes(x, mask, 6, cfg(5), createRng(1), scalarKernels), c1);
  assert.notEqual(residualCodes(x, mask, 6, cfg(5), createRng(4), scalarKernels), c1);
});

test('RQ config rejects unknown keys', () => {
  assert.throws(() => RqConfig.parse({ epocs: 3 }), /unrecognized/i);
  assert.equal(RqConfig.parse({}).levels, 3);
});
