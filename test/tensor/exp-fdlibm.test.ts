import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFastKernels } from '../../src/tensor/kernels/fast.js';
import { scalarKernels } from '../../src/tensor/kernels/scalar.js';
import { expFdlibm, fdlibmSoftmax, softmaxRowsFdlibm } from '../../src/tensor/ops/exp-fdlibm.js';
import { infoNce } from '../../src/tensor/ops/info-nce.js';
import { infoNceFdlibm, infoNceWeightedFdlibm } from '../../src/tensor/ops/info-nce-fdlibm.js';
import { infoNceWeighted } from '../../src/tensor/ops/info-nce-weighted.js';
import type { AnyOp } from '../../src/tensor/ops/op.js';
import { createParam, createTape } from '../../src/tensor/tape.js';
import { createRng } from '../../src/util/rng.js';

test('expFdlibm equals Math.exp bit for bit on every branch and at the edges', () => {
  const rng = createRng(5);
  // Ranges: |x| < 2^−28, ≤ ln2/2 (k = 0), < 1.5 ln2 (k = ±1), the softmax range, wide, subnormal results, special.
  const ranges: [number, number][] = [[-1e-9, 1e-9], [-0.34, 0.34], [-1.04, 1.04], [-20, 0], [-700, 700], [-745.2, -708], [-800, 800]];
  let checked = 0;
  for (const [lo, hi] of ranges) {
    for (let i = 0; i < 150_000; i++) {
      const x = lo + (hi - lo) * rng.next();
      assert.equal(Object.is(expFdlibm(x), Math.exp(x)), true, `exp(${x}): ${expFdlibm(x)} vs ${Math.exp(x)}`);
      checked++;
    }
  }
  for (const x of [0, -0, 1, -1, Math.LN2 / 2, -Math.LN2 / 2, 1.5 * Math.LN2, 2 ** -28, -(2 ** -28), 709.78, -745.13, -745.14, 710, -Infinity, Infinity, NaN]) {
    assert.equal(Object.is(expFdlibm(x), Math.exp(x)), true, `exp(${x})`);
  }
  assert.ok(checked > 1e6);
});

test('softmaxRowsFdlibm equals the scalar kernel; fdlibmSoftmax swaps only the scalar softmax', async () => {
  const rng = createRng(8), rows = 50, cols = 300, x = new Float32Array(rows * cols);
  for (let i = 0; i < x.length; i++) x[i] = 3 * rng.normal();
  const want = new Float32Array(x.length), got = new Float32Array(x.length), lw = new Float32Array(rows), lg = new Float32Array(rows);
  scalarKernels.softmaxRows(x, want, lw, rows, cols, 5);
  softmaxRowsFdlibm(x, got, lg, rows, cols, 5);
  assert.deepEqual(got, want);
  assert.deepEqual(lg, lw);
  const fast = await createFastKernels();
  assert.equal(fdlibmSoftmax(fast).softmaxRows, softmaxRowsFdlibm);
  assert.equal(fdlibmSoftmax(fast).gemm, fast.gemm);
  assert.equal(fdlibmSoftmax(fast), fdlibmSoftmax(fast));
  const parallel = { ...fast, softmaxRows: fast.softmaxRows.bind(null) };
  assert.equal(fdlibmSoftmax(parallel), parallel);
});

/** Loss and input gradients of an InfoNCE op on a float32 tape. */
async function runOp(op: AnyOp, attrs: unknown): Promise<Float32Array[]> {
  const rng = createRng(21), k = await createFastKernels();
  const ps = [createParam('a', 40, 16), createParam('b', 40, 16), createParam('c', 60, 16)];
  for (const p of ps) for (let i = 0; i < p.value.data.length; i++) p.value.data[i] = rng.normal();
  const t = createTape(k);
  const loss = t.run(op, ps.map((p) => t.param(p)), attrs);
  t.backward(loss);
  return [t.value(loss).data.slice(), ...ps.map((p) => p.grad.data.slice())];
}

test('infoNceFdlibm / infoNceWeightedFdlibm: values and gradients bit-identical to infoNce / infoNceWeighted', async () => {
  const plain = { temperature: 0.2, eps: 1e-8 };
  assert.deepEqual(await runOp(infoNceFdlibm, plain), await runOp(infoNce, plain));
  const weights = Float32Array.from({ length: 40 }, (_, i) => (i % 7 === 3 ? 0 : 1 + (i % 3)));
  const counts = Float32Array.from({ length: 60 }, (_, i) => (i % 11 === 5 ? 0 : 1 + (i % 2)));
  const weighted = { ...plain, weights, counts };
  const got = await runOp(infoNceWeightedFdlibm, weighted), want = await runOp(infoNceWeighted, weighted);
  assert.deepEqual(got, want);
  assert.ok(got[0][0] > 0 && got[1].some((v) => v !== 0));
});
