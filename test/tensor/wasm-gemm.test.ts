import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { createWasmGemm, createWasmGemmSync, wasmGemmPath, type GemmFn } from '../../src/tensor/kernels/wasm-gemm.js';
import { createRng } from '../../src/util/rng.js';
import { LmmrecError } from '../../src/util/errors.js';

// The module is build output (npm ci → prepare → build). A missing module must fail here, not silently
// fall back to scalar, or CI would never exercise the kernel.
function kernel(options: Parameters<typeof createWasmGemmSync>[0] = {}): GemmFn {
  assert.ok(existsSync(wasmGemmPath()), `${wasmGemmPath()} is missing: run \`npm run build\``);
  const gemm = createWasmGemmSync(options);
  assert.ok(gemm, 'WebAssembly SIMD module failed to validate on this engine');
  return gemm;
}

const rng = createRng(7);
function rand(len: number): Float32Array {
  const x = new Float32Array(len);
  for (let i = 0; i < len; i++) x[i] = rng.next() * 2 - 1;
  return x;
}

// op(A)[i,p] and op(B)[p,j] for the stored layouts of GemmFn.
const opA = (a: Float32Array, m: number, k: number, t: boolean) => (i: number, p: number) => (t ? a[p * m + i] : a[i * k + p]);
const opB = (b: Float32Array, k: number, n: number, t: boolean) => (p: number, j: number) => (t ? b[j * k + p] : b[p * n + j]);

interface Case {
  a: Float32Array;
  b: Float32Array;
  c0: Float32Array;
  m: number;
  k: number;
  n: number;
  tA: boolean;
  tB: boolean;
  acc: boolean;
}

function makeCase(m: number, k: number, n: number, tA: boolean, tB: boolean, acc: boolean): Case {
  return { a: rand(m * k), b: rand(k * n), c0: rand(m * n), m, k, n, tA, tB, acc };
}

function run(gemm: GemmFn, x: Case): Float32Array {
  const c = x.c0.slice();
  gemm(x.a, x.b, c, x.m, x.k, x.n, x.tA, x.tB, x.acc);
  return c;
}

const SIZES = [0, 1, 3, 7, 8, 9, 31, 32, 33, 100];
const TRANS = [[false, false], [true, false], [false, true], [true, true]] as const;

test('build produced the module; sync and async loaders both return a kernel', async () => {
  kernel();
  assert.equal(typeof (await createWasmGemm()), 'function');
});

test('a missing module gives null (scalar fallback), not a throw', async () => {
  assert.equal(createWasmGemmSync({ path: '/nonexistent/gemm.wasm' }), null);
  assert.equal(await createWasmGemm({ path: '/nonexistent/gemm.wasm' }), null);
});

test('matches a float64 reference on awkward shapes, all transposes, accumulate on/off (rel err < 1e-5)', () => {
  const gemm = kernel();
  let checked = 0;
  for (const m of SIZES) for (const k of SIZES) for (const n of SIZES) {
    for (const [tA, tB] of TRANS) for (const acc of [false, true]) {
      const x = makeCase(m, k, n, tA, tB, acc);
      const c = run(gemm, x);
      const A = opA(x.a, m, k, tA);
      const B = opB(x.b, k, n, tB);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let ref = acc ? x.c0[i * n + j] : 0;
        let scale = Math.abs(ref);
        for (let p = 0; p < k; p++) {
          ref += A(i, p) * B(p, j);
          scale += Math.abs(A(i, p) * B(p, j));
        }
        const err = Math.abs(c[i * n + j] - ref);
        if (err > 1e-5 * Math.max(scale, 1e-30)) {
          assert.fail(`m=${m} k=${k} n=${n} tA=${tA} tB=${tB} acc=${acc} at (${i},${j}): ${c[i * n + j]} vs ${ref}`);
        }
        checked++;
      }
    }
  }
  assert.equal(checked, 8 * SIZES.reduce((s, x) => s + x, 0) ** 2 * SIZES.length);
});

test('each element is the documented f32 left fold over p, bit for bit (k spans several k-blocks)', () => {
  const gemm = kernel();
  for (const [m, k, n] of [[5, 300, 11], [9, 513, 3], [33, 33, 17]]) {
    for (const [tA, tB] of TRANS) for (const acc of [false, true]) {
      const x = makeCase(m, k, n, tA, tB, acc);
      const c = run(gemm, x);
      const A = opA(x.a, m, k, tA);
      const B = opB(x.b, k, n, tB);
      const want = new Float32Array(m * n);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = acc ? x.c0[i * n + j] : 0;
        for (let p = 0; p < k; p++) s = Math.fround(s + Math.fround(A(i, p) * B(p, j)));
        want[i * n + j] = s;
      }
      assert.deepEqual(c, want, `m=${m} k=${k} n=${n} tA=${tA} tB=${tB} acc=${acc}`);
    }
  }
});

// Rows [r0, r1) of op(A) as a stand-alone stored matrix of the same layout.
function rowsOfA(x: Case, r0: number, r1: number): Float32Array {
  if (!x.tA) return x.a.slice(r0 * x.k, r1 * x.k);
  const h = r1 - r0;
  const out = new Float32Array(x.k * h);
  for (let p = 0; p < x.k; p++) out.set(x.a.subarray(p * x.m + r0, p * x.m + r1), p * h);
  return out;
}

test('splitting C by rows into two calls is bit-identical to one call, at every split row', () => {
  const gemm = kernel();
  for (const [m, k, n] of [[33, 37, 19], [13, 260, 9]]) {
    for (const [tA, tB] of TRANS) for (const acc of [false, true]) {
      const x = makeCase(m, k, n, tA, tB, acc);
      const whole = run(gemm, x);
      for (let r = 0; r <= m; r++) {
        const c = x.c0.slice();
        gemm(rowsOfA(x, 0, r), x.b, c.subarray(0, r * n), r, k, n, tA, tB, acc);
        gemm(rowsOfA(x, r, m), x.b, c.subarray(r * n), m - r, k, n, tA, tB, acc);
        assert.deepEqual(c, whole, `split at row ${r}: m=${m} k=${k} n=${n} tA=${tA} tB=${tB} acc=${acc}`);
      }
    }
  }
});

test('op(A) stored transposed gives the same bits as the same op(A) stored plainly (workers pack columns)', () => {
  const gemm = kernel();
  const [m, k, n] = [23, 41, 18];
  for (const tB of [false, true]) {
    const x = makeCase(m, k, n, true, tB, true);
    const plain = new Float32Array(m * k);
    for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) plain[i * k + p] = x.a[p * m + i];
    assert.deepEqual(run(gemm, { ...x, a: plain, tA: false }), run(gemm, x));
  }
});

test('the row-chunk size does not change any bit', () => {
  const whole = kernel();
  const tiny = kernel({ chunkBytes: 1 });
  for (const [tA, tB] of TRANS) {
    const x = makeCase(70, 45, 29, tA, tB, true);
    assert.deepEqual(run(tiny, x), run(whole, x));
  }
});

test('reads only m·k, k·n, m·n elements of views with an offset; leaves the rest of C alone', () => {
  const gemm = kernel();
  const buf = rand(200);
  const a = buf.subarray(3, 3 + 6); // 2×3
  const b = buf.subarray(50, 50 + 12); // 3×4
  const c = new Float32Array(10).fill(9);
  gemm(a, b, c, 2, 3, 4, false, false, false);
  for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) {
    const want = a[i * 3] * b[j] + a[i * 3 + 1] * b[4 + j] + a[i * 3 + 2] * b[8 + j];
    assert.ok(Math.abs(c[i * 4 + j] - want) < 1e-6);
  }
  assert.deepEqual([...c.subarray(8)], [9, 9]);
});

test('k = 0 zeroes C, or leaves it when accumulating', () => {
  const gemm = kernel();
  const c = new Float32Array([1, 2, 3, 4, 5, 6]);
  gemm(new Float32Array(0), new Float32Array(0), c, 2, 0, 3, false, false, true);
  assert.deepEqual([...c], [1, 2, 3, 4, 5, 6]);
  gemm(new Float32Array(0), new Float32Array(0), c, 2, 0, 3, false, false, false);
  assert.deepEqual([...c], [0, 0, 0, 0, 0, 0]);
});

test('bad sizes are usage errors naming the argument', () => {
  const gemm = kernel();
  const x = new Float32Array(6);
  assert.throws(() => gemm(x, x, x, -1, 2, 3, false, false, false), (e: unknown) => e instanceof LmmrecError && /m must be/.test(e.message));
  assert.throws(() => gemm(x, x, x, 2, 1.5, 3, false, false, false), /k must be/);
  assert.throws(() => gemm(x, new Float32Array(5), x, 2, 3, 2, false, false, false), /b has 5 elements, needs 6/);
  assert.throws(() => gemm(x, x, new Float32Array(3), 2, 3, 2, false, false, false), /c has 3 elements, needs 4/);
});
