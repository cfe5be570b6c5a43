import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scalarKernels } from '../../src/tensor/kernels/scalar.js';
import { createRng } from '../../src/util/rng.js';
import { kernelCases } from './kernel-cases.js';

kernelCases('scalar', () => scalarKernels, scalarKernels);

test('scalar gemm equals a naive triple loop in float64 for every transpose', () => {
  const rng = createRng(21);
  const [m, k, n] = [67, 29, 11];
  const a = Float64Array.from({ length: m * k }, () => rng.next() - 0.5);
  const b = Float64Array.from({ length: k * n }, () => rng.next() - 0.5);
  for (const ta of [false, true]) {
    for (const tb of [false, true]) {
      const c = new Float64Array(m * n);
      scalarKernels.gemm(a, b, c, m, k, n, ta, tb, false);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
          assert.equal(c[i * n + j], s, `transA=${ta} transB=${tb} (${i}, ${j})`);
        }
      }
    }
  }
});

test('scalar spmm equals a dense product; a zero-width x is a no-op', () => {
  const a = { rows: 3, cols: 2, indptr: Int32Array.of(0, 1, 1, 3), indices: Int32Array.of(1, 0, 1), values: Float32Array.of(2, 3, -1) };
  const x = Float64Array.of(1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60, 7, 70, 8, 80, 9, 90).subarray(0, 18);
  const y = new Float64Array(27);
  scalarKernels.spmm(a, x, y, 9, false);
  for (let j = 0; j < 9; j++) {
    assert.equal(y[j], 2 * x[9 + j]);
    assert.equal(y[9 + j], 0);
    assert.equal(y[18 + j], 3 * x[j] - x[9 + j]);
  }
  scalarKernels.spmm(a, new Float64Array(0), new Float64Array(0), 0, false);
});

test('softmax and log-sum-exp stay finite for large logits', () => {
  const x = Float64Array.of(1000, 999, -1000);
  const y = new Float64Array(3), lse = new Float64Array(1);
  scalarKernels.softmaxRows(x, y, lse, 1, 3, 1);
  assert.ok(Math.abs(lse[0] - (1000 + Math.log(1 + Math.exp(-1)))) < 1e-9);
  assert.ok(Math.abs(y[0] - 1 / (1 + Math.exp(-1))) < 1e-12);
  const out = new Float64Array(1);
  scalarKernels.logSumExpRows(x, out, 1, 3);
  assert.equal(out[0], lse[0]);
});
