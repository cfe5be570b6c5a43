import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { createFastKernels } from '../../src/tensor/kernels/fast.js';
import { scalarKernels } from '../../src/tensor/kernels/scalar.js';
import { spmmScalar } from '../../src/tensor/kernels/scalar-sparse.js';
import { createWasmSpmmSync, type SpmmFn, wasmSpmmPath } from '../../src/tensor/kernels/wasm-spmm.js';
import type { SparseMat } from '../../src/tensor/sparse.js';
import { createRng, type Rng } from '../../src/util/rng.js';
import { kernelCases } from './kernel-cases.js';

// Build output like gemm.wasm: a missing module must fail here, not silently fall back to the scalar kernel.
function kernel(): SpmmFn {
  assert.ok(existsSync(wasmSpmmPath()), `${wasmSpmmPath()} is missing: run \`npm run build\``);
  const spmm = createWasmSpmmSync();
  assert.ok(spmm, 'WebAssembly SIMD module failed to validate on this engine');
  return spmm;
}

function randomCsr(rng: Rng, rows: number, cols: number): SparseMat {
  const indptr = new Int32Array(rows + 1), idx: number[] = [], val: number[] = [];
  for (let r = 0; r < rows; r++) {
    const len = r % 5 === 1 ? 0 : rng.int(r % 13 === 0 ? 60 : 8);
    for (let e = 0; e < len; e++) {
      idx.push(rng.int(cols));
      val.push((2 * rng.next() - 1) * (r % 7 === 0 ? 1e-3 : 1));
    }
    indptr[r + 1] = idx.length;
  }
  return { rows, cols, indptr, indices: Int32Array.from(idx), values: Float32Array.from(val) };
}

function rand(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = 2 * rng.next() - 1;
  return a;
}

test('wasm spmm: bit-identical to the scalar kernel for any width, overwrite and accumulate, and across calls', () => {
  const spmm = kernel(), rng = createRng(5);
  for (const [rows, cols] of [[1, 1], [37, 19], [400, 250], [3, 900]]) {
    const a = randomCsr(rng, rows, cols);
    for (const n of [1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 64]) {
      for (const acc of [false, true]) {
        const x = rand(rng, cols * n), y0 = rand(rng, rows * n), y1 = y0.slice();
        spmmScalar(a, x, y0, n, acc);
        spmm(a, x, y1, n, acc);
        for (let i = 0; i < y0.length; i++) {
          if (!Object.is(y0[i], y1[i])) assert.fail(`${rows}x${cols} n=${n} acc=${acc} [${i}]: ${y1[i]} vs ${y0[i]}`);
        }
      }
    }
  }
});

test('wasm spmm: a row range whose indptr does not start at 0 (a thread\'s part)', () => {
  const spmm = kernel(), rng = createRng(6);
  const a = randomCsr(rng, 120, 40), n = 32;
  const x = rand(rng, 40 * n), want = new Float32Array(120 * n);
  spmmScalar(a, x, want, n, false);
  const lo = 37, hi = 101;
  const part: SparseMat = { rows: hi - lo, cols: 40, indptr: a.indptr.subarray(lo, hi + 1), indices: a.indices, values: a.values };
  const got = new Float32Array((hi - lo) * n);
  spmm(part, x, got, n, false);
  assert.deepEqual(Array.from(got), Array.from(want.subarray(lo * n, hi * n)));
});

test('wasm spmm: float64 arguments go to the scalar kernel; empty calls leave y alone', () => {
  const spmm = kernel();
  const a: SparseMat = { rows: 2, cols: 2, indptr: Int32Array.of(0, 1, 2), indices: Int32Array.of(1, 0), values: Float32Array.of(2, 3) };
  const y64 = new Float64Array(2);
  spmm(a, Float64Array.of(0.1, 0.2), y64, 1, false);
  assert.deepEqual(Array.from(y64), [2 * 0.2, 3 * 0.1]);
  const y = Float32Array.of(5, 6);
  spmm({ ...a, rows: 0, indptr: Int32Array.of(0) }, Float32Array.of(1, 1), y, 1, false);
  assert.deepEqual(Array.from(y), [5, 6]);
});

// The single-thread table of a run (wasm GEMM within rounding; every other kernel, SpMM included, identical).
kernelCases('fast (wasm gemm + wasm spmm)', () => createFastKernels(), scalarKernels, { gemmTol: 1e-4 });

test('wasm spmm: a part that reads a band of x (bipartite halves) copies only the band, same values; bad indices throw', () => {
  const spmm = kernel(), rng = createRng(8);
  // Rows 0..29 read columns 40..59 only, rows 30..59 read columns 0..9 only (like Â's user and item halves).
  const rows = 60, cols = 60, n = 32, indptr = [0], idx: number[] = [], val: number[] = [];
  for (let r = 0; r < rows; r++) {
    const lo = r < 30 ? 40 : 0, width = r < 30 ? 20 : 10;
    for (let e = 0; e < 1 + (r % 4); e++) {
      idx.push(lo + rng.int(width));
      val.push(2 * rng.next() - 1);
    }
    indptr.push(idx.length);
  }
  const a: SparseMat = { rows, cols, indptr: Int32Array.from(indptr), indices: Int32Array.from(idx), values: Float32Array.from(val) };
  const x = rand(rng, cols * n);
  for (const [lo, hi] of [[0, 30], [30, 60], [0, 60], [29, 31]]) {
    const part: SparseMat = { rows: hi - lo, cols, indptr: a.indptr.subarray(lo, hi + 1), indices: a.indices, values: a.values };
    for (const acc of [false, true]) {
      const y0 = rand(rng, (hi - lo) * n), y1 = y0.slice();
      spmmScalar(part, x, y0, n, acc);
      spmm(part, x, y1, n, acc);
      for (let i = 0; i < y0.length; i++) if (!Object.is(y0[i], y1[i])) assert.fail(`rows [${lo}, ${hi}) acc=${acc} [${i}]: ${y1[i]} vs ${y0[i]}`);
    }
  }
  const bad: SparseMat = { rows: 1, cols: 4, indptr: Int32Array.of(0, 2), indices: Int32Array.of(1, 4), values: Float32Array.of(1, 1) };
  assert.throws(() => spmm(bad, new Float32Array(4 * 2), new Float32Array(2), 2, false), /column index 4 outside \[0, 4\)/);
});
