import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { softmaxRows } from '../../src/tensor/kernels/scalar-rows.js';
import { createWasmSoftmaxRowsSync, type SoftmaxRowsFn, wasmRowsPath } from '../../src/tensor/kernels/wasm-rows.js';
import { createRng, type Rng } from '../../src/util/rng.js';

// Build output like gemm.wasm: a missing module must fail here, not silently fall back to the JS kernel.
function kernel(): SoftmaxRowsFn {
  assert.ok(existsSync(wasmRowsPath()), `${wasmRowsPath()} is missing: run \`npm run build\``);
  const k = createWasmSoftmaxRowsSync();
  assert.ok(k, 'WebAssembly SIMD module failed to validate on this engine');
  return k;
}

function same(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) assert.fail(`${what} [${i}]: ${got[i]} vs ${want[i]}`);
}

/** Runs both kernels on copies of x (and in place when asked) and compares y and lse bit for bit. */
function check(k: SoftmaxRowsFn, x: Float32Array, rows: number, cols: number, scale: number, what: string): void {
  const want = new Float32Array(x.length), wantLse = new Float64Array(rows);
  softmaxRows(x, want, wantLse, rows, cols, scale);
  const got = new Float32Array(x.length).fill(9), gotLse = new Float64Array(rows);
  k(x, got, gotLse, rows, cols, scale);
  same(got, want, `${what} y`);
  same(gotLse, wantLse, `${what} lse`);
  const inPlace = x.slice(), lse32 = new Float32Array(rows), want32 = new Float32Array(rows);
  softmaxRows(x, new Float32Array(x.length), want32, rows, cols, scale);
  k(inPlace, inPlace, lse32, rows, cols, scale);
  same(inPlace, want, `${what} in place`);
  same(lse32, want32, `${what} float32 lse`);
}

/** Logits whose exp arguments cover fdlibm's branches: 0, |v| < 2^−28, ≤ ln2/2, < 1.5 ln2, general, subnormal, underflow. */
function logits(rng: Rng, n: number): Float32Array {
  const spans = [1e-9, 0.3, 0.9, 1.5, 8, 40, 720, 760];
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = i % 53 === 7 ? -0 : (2 * rng.next() - 1) * spans[rng.int(spans.length)];
  return a;
}

test('wasm softmaxRows: bit-identical to the JS kernel (y, lse, in place) over every exp branch, odd widths, several blocks', () => {
  const k = kernel(), rng = createRng(41);
  for (const [rows, cols] of [[3, 64], [7, 33], [5, 1], [2, 2], [40, 2047], [3, 40000], [1024, 97]]) {
    for (const scale of [1, 5, 0.37]) check(k, logits(rng, rows * cols), rows, cols, scale, `${rows}×${cols} scale ${scale}`);
  }
});

test('wasm softmaxRows: InfoNCE-like rows (cosines × 1/τ) bit-identical, including the sequential row sum', () => {
  const k = kernel(), rng = createRng(43), rows = 64, cols = 2048;
  const x = Float32Array.from({ length: rows * cols }, () => 2 * rng.next() - 1);
  check(k, x, rows, cols, 5, 'cosines');
});

test('wasm softmaxRows: arguments at the branch boundaries of exp (ln2/2, 1.5 ln2, 2^−28, k = −1021, underflow)', () => {
  const k = kernel(), edges = [0.5 * Math.LN2, 1.5 * Math.LN2, 2 ** -28, 1021 * Math.LN2, 1022.5 * Math.LN2, 708.4, 709.78, 745.13, 745.14];
  const xs: number[] = [0];
  for (const e of edges) for (const d of [-1e-6, -1e-12, 0, 1e-12, 1e-6]) xs.push(-(e * (1 + d)));
  // Float32 logits near these points, scaled by a float64 scale to hit them closely: scale·x − 0 = the edge.
  const x = Float32Array.from([...xs, ...xs].map((v) => v / 4));
  check(k, x, 1, x.length, 4, 'edges');
});

test('wasm softmaxRows: rows with NaN, −∞ or all −∞ match the JS kernel (recomputed in JS)', () => {
  const k = kernel(), rng = createRng(42);
  const x = logits(rng, 6 * 70);
  x[3] = NaN;
  x[70 + 5] = -Infinity;
  x.fill(-Infinity, 140, 210);
  x[210 + 69] = Infinity;
  check(k, x, 6, 70, 2, 'special values');
});
