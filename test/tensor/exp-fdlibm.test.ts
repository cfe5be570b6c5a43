import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scalarKernels } from '../../src/tensor/kernels/scalar.js';
import { expFdlibm } from '../../src/tensor/kernels/exp-fdlibm.js';
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

test('the scalar row softmax (on expFdlibm) equals the same passes on Math.exp, bit for bit', () => {
  const rng = createRng(8), rows = 50, cols = 300, scale = 5, x = new Float32Array(rows * cols);
  for (let i = 0; i < x.length; i++) x[i] = 3 * rng.normal();
  const got = new Float32Array(x.length), lg = new Float32Array(rows);
  scalarKernels.softmaxRows(x, got, lg, rows, cols, scale);
  const want = new Float32Array(x.length), lw = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const row = x.subarray(i * cols, (i + 1) * cols);
    const mx = row.reduce((m, v) => Math.max(m, scale * v), -Infinity);
    let s = 0;
    for (let j = 0; j < cols; j++) s += (want[i * cols + j] = Math.exp(scale * row[j] - mx));
    for (let j = 0; j < cols; j++) want[i * cols + j] *= 1 / s;
    lw[i] = mx + Math.log(s);
  }
  assert.deepEqual(got, want);
  assert.deepEqual(lg, lw);
});
