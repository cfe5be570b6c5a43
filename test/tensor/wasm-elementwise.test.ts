import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { addMany, axpy, leakyRelu, leakyReluGrad } from '../../src/tensor/kernels/scalar-elementwise.js';
import { createWasmElementwiseSync, type WasmElementwise, wasmElementwisePath } from '../../src/tensor/kernels/wasm-elementwise.js';
import { createRng, type Rng } from '../../src/util/rng.js';

// Build output like gemm.wasm: a missing module must fail here, not silently fall back to the JS kernels.
function kernels(): WasmElementwise {
  assert.ok(existsSync(wasmElementwisePath()), `${wasmElementwisePath()} is missing: run \`npm run build\``);
  const k = createWasmElementwiseSync();
  assert.ok(k, 'WebAssembly SIMD module failed to validate on this engine');
  return k;
}

/** Values over many magnitudes and both signs, with exact zeros of both signs, so rounding paths all occur. */
function rand(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = i % 97 === 5 ? -0 : i % 89 === 3 ? 0 : (2 * rng.next() - 1) * 10 ** (rng.int(13) - 6);
  return a;
}

function same(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) assert.fail(`${what} [${i}]: ${got[i]} vs ${want[i]}`);
}

test('wasm addMany: bit-identical to the JS chain of float32 adds for 2 to 8 inputs, odd lengths, several blocks', () => {
  const k = kernels(), rng = createRng(31);
  for (const n of [256, 257, 1003, (1 << 15) + 5, (1 << 16) + 259]) {
    for (const m of [2, 3, 4, 5, 8]) {
      const xs = Array.from({ length: m }, () => rand(rng, n));
      const want = new Float32Array(n), got = new Float32Array(n).fill(7);
      addMany(want, xs, n);
      k.addMany(got, xs, n);
      same(got, want, `n=${n} m=${m}`);
    }
  }
});

test('wasm addMany: writes only the first n outputs; 0, 1 or 9 inputs and short arrays take the JS path', () => {
  const k = kernels(), rng = createRng(32);
  const xs = [rand(rng, 2000), rand(rng, 2000)], out = new Float32Array(2000).fill(5);
  k.addMany(out, xs, 1500);
  assert.equal(out[1500], 5);
  assert.equal(out[1499], Math.fround(xs[0][1499] + xs[1][1499]));
  const one = new Float32Array(300);
  k.addMany(one, [xs[0]], 300);
  same(one, xs[0].subarray(0, 300), 'one input');
  const zero = new Float32Array(300).fill(1);
  k.addMany(zero, [], 300);
  assert.equal(zero.reduce((s, v) => s + v, 0), 0);
  const nine = Array.from({ length: 9 }, () => rand(rng, 400)), w9 = new Float32Array(400), g9 = new Float32Array(400);
  addMany(w9, nine, 400);
  k.addMany(g9, nine, 400);
  same(g9, w9, 'nine inputs');
});

test('wasm axpy: bit-identical to y[i] += alpha * x[i] for odd lengths and alphas, only the first n elements change', () => {
  const k = kernels(), rng = createRng(33);
  for (const n of [1, 255, 256, 257, 4099, (1 << 15) + 1, (1 << 17) + 3]) {
    for (const alpha of [1, -0.3, 2e-6, 3.0000001]) {
      const x = rand(rng, n + 2), y0 = rand(rng, n + 2), want = y0.slice(), got = y0.slice();
      axpy(alpha, x, want, n);
      k.axpy(alpha, x, got, n);
      same(got, want, `n=${n} alpha=${alpha}`);
      assert.ok(Object.is(got[n], y0[n]) && Object.is(got[n + 1], y0[n + 1]), 'wrote past n');
    }
  }
  const y64 = Float64Array.of(1, 2);
  k.axpy(0.5, Float64Array.of(2, 4), y64, 2);
  assert.deepEqual(Array.from(y64), [2, 4]);
});

test('wasm leakyRelu and its gradient: bit-identical to the JS ternaries (±0, ±∞, NaN, odd lengths, in place), only n elements', () => {
  const k = kernels(), rng = createRng(34);
  for (const n of [1, 255, 256, 257, 4099, (1 << 15) + 1, (1 << 17) + 3]) {
    for (const slope of [0.01, 0.2, 1 / 3]) {
      const x = rand(rng, n + 2), dy = rand(rng, n + 2), dx0 = rand(rng, n + 2);
      x[0] = Infinity;
      x[n - 1] = -Infinity;
      if (n > 3) x[1] = NaN;
      const want = new Float32Array(n + 2).fill(3), got = want.slice();
      leakyRelu(x, want, n, slope);
      k.leakyRelu(x, got, n, slope);
      same(got, want, `leakyRelu n=${n} slope=${slope}`);
      assert.ok(Object.is(got[n], 3), 'leakyRelu wrote past n');
      const inPlace = x.slice();
      k.leakyRelu(inPlace, inPlace, n, slope);
      same(inPlace.subarray(0, n), want.subarray(0, n), `leakyRelu in place n=${n}`);
      const wantDx = dx0.slice(), gotDx = dx0.slice();
      leakyReluGrad(x, dy, wantDx, n, slope);
      k.leakyReluGrad(x, dy, gotDx, n, slope);
      same(gotDx, wantDx, `leakyReluGrad n=${n} slope=${slope}`);
    }
  }
});
