import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { adamStep } from '../../src/tensor/kernels/scalar-elementwise.js';
import { type AdamFn, createWasmAdamSync, wasmAdamPath } from '../../src/tensor/kernels/wasm-adam.js';
import { createRng } from '../../src/util/rng.js';

// Build output like gemm.wasm: a missing module must fail here, not silently fall back to the scalar step.
function kernel(): AdamFn {
  assert.ok(existsSync(wasmAdamPath()), `${wasmAdamPath()} is missing: run \`npm run build\``);
  const adam = createWasmAdamSync();
  assert.ok(adam, 'WebAssembly SIMD module failed to validate on this engine');
  return adam;
}

test('wasm adam: bit-identical to the scalar step over several steps, odd lengths, with and without weight decay', () => {
  const adam = kernel(), rng = createRng(21);
  for (const n of [1, 2, 7, 1000, (1 << 18) + 3]) {
    for (const weightDecay of [0, 1e-2]) {
      const p0 = new Float32Array(n), g = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        p0[i] = 2 * rng.next() - 1;
        g[i] = (2 * rng.next() - 1) * 10 ** -rng.int(8);
      }
      const js = { p: p0.slice(), m: new Float32Array(n), v: new Float32Array(n) };
      const wa = { p: p0.slice(), m: new Float32Array(n), v: new Float32Array(n) };
      for (let t = 1; t <= 3; t++) {
        const h = { beta1: 0.9, beta2: 0.999, stepSize: 1e-3 / (1 - 0.9 ** t), bc2Sqrt: Math.sqrt(1 - 0.999 ** t), eps: 1e-8, weightDecay };
        adamStep(js.p, g, js.m, js.v, n, h);
        adam(wa.p, g, wa.m, wa.v, n, h);
      }
      for (const k of ['p', 'm', 'v'] as const) {
        for (let i = 0; i < n; i++) if (!Object.is(js[k][i], wa[k][i])) assert.fail(`n=${n} wd=${weightDecay} ${k}[${i}]: ${wa[k][i]} vs ${js[k][i]}`);
      }
    }
  }
});

test('wasm adam: float64 arrays take the scalar step; only the first n elements change', () => {
  const adam = kernel();
  const h = { beta1: 0.9, beta2: 0.999, stepSize: 0.1, bc2Sqrt: Math.sqrt(1 - 0.999), eps: 1e-8, weightDecay: 0 };
  const p = Float64Array.of(1, 2), want = p.slice(), m = new Float64Array(2), v = new Float64Array(2), m2 = m.slice(), v2 = v.slice();
  adam(p, Float64Array.of(0.5, -0.5), m, v, 2, h);
  adamStep(want, Float64Array.of(0.5, -0.5), m2, v2, 2, h);
  assert.deepEqual(Array.from(p), Array.from(want));
  const q = Float32Array.of(1, 2, 3), g = Float32Array.of(1, 1, 1);
  adam(q, g, new Float32Array(3), new Float32Array(3), 2, h);
  assert.notEqual(q[0], 1);
  assert.equal(q[2], 3);
});
