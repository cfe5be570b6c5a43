/**
 * GEMM GFLOP/s, WebAssembly SIMD vs scalar JS, on the model shapes: `npm run bench -- gemm [--reps N]
 * [--shapes name,name] [--trans]`. The scalar baselines are the core's reference `gemmScalar` (f64
 * packed, 4×2 blocks) and a plain 2×4 register-blocked loop on the Float32Arrays. Each cell is the median of N runs (default 5)
 * after one warm-up, round-robin across variants; wasm times include copying A, B and C in and out of wasm memory.
 * `--trans` adds the three transposed layouts (the backward passes) for the wasm kernel (same buffers
 * reinterpreted: the timing does not depend on the values).
 */
import { availableParallelism, loadavg } from 'node:os';
import { gemmScalar } from '../src/tensor/kernels/scalar-gemm.js';
import { createWasmGemm, type GemmFn } from '../src/tensor/kernels/wasm-gemm.js';
import { median, option } from './lib/common.js';

interface Shape {
  name: string;
  m: number;
  k: number;
  n: number;
}

const SHAPES: Shape[] = [
  { name: 'scoring', m: 4096, k: 32, n: 9332 },
  { name: 'square-d', m: 4096, k: 32, n: 32 },
  { name: 'infonce-users', m: 11000, k: 32, n: 4096 },
  { name: 'text-mlp', m: 4096, k: 1536, n: 784 },
];

/** 2×4 register-blocked loop with f64 locals straight on the Float32Arrays, j-tail scalar. */
export function scalarBlocked(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number, accumulate: boolean): void {
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const a0 = i * k;
    const a1 = a0 + k;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let p = 0, bp = j; p < k; p++, bp += n) {
        const x0 = a[a0 + p], x1 = a[a1 + p];
        const b0 = b[bp], b1 = b[bp + 1], b2 = b[bp + 2], b3 = b[bp + 3];
        s00 += x0 * b0; s01 += x0 * b1; s02 += x0 * b2; s03 += x0 * b3;
        s10 += x1 * b0; s11 += x1 * b1; s12 += x1 * b2; s13 += x1 * b3;
      }
      const c0 = i * n + j;
      const c1 = c0 + n;
      if (accumulate) {
        c[c0] += s00; c[c0 + 1] += s01; c[c0 + 2] += s02; c[c0 + 3] += s03;
        c[c1] += s10; c[c1 + 1] += s11; c[c1 + 2] += s12; c[c1 + 3] += s13;
      } else {
        c[c0] = s00; c[c0 + 1] = s01; c[c0 + 2] = s02; c[c0 + 3] = s03;
        c[c1] = s10; c[c1 + 1] = s11; c[c1 + 2] = s12; c[c1 + 3] = s13;
      }
    }
    for (; j < n; j++) for (let r = i; r < i + 2; r++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[r * k + p] * b[p * n + j];
      c[r * n + j] = accumulate ? c[r * n + j] + s : s;
    }
  }
  for (; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
    c[i * n + j] = accumulate ? c[i * n + j] + s : s;
  }
}

/** Median ms of each function, timed round-robin after one warm-up each, so load spikes hit all alike. */
function timeAll(reps: number, fns: (() => void)[]): number[] {
  for (const f of fns) f();
  const t: number[][] = fns.map(() => []);
  for (let r = 0; r < reps; r++) {
    fns.forEach((f, i) => {
      const t0 = performance.now();
      f();
      t[i].push(performance.now() - t0);
    });
  }
  return t.map(median);
}

function randomArray(len: number, seed: number): Float32Array {
  const x = new Float32Array(len);
  let s = seed >>> 0;
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 32 - 0.5;
  }
  return x;
}

export async function run(args: string[]): Promise<void> {
  const reps = Number(option(args, '--reps') ?? 5);
  const only = option(args, '--shapes')?.split(',');
  const withTrans = args.includes('--trans');
  const wasm: GemmFn | null = await createWasmGemm();
  if (!wasm) throw new Error('dist/wasm/gemm.wasm is missing: run `npm run build`');

  const load = () => loadavg()[0].toFixed(1);
  console.log(`gemm: median of ${reps} round-robin runs, GFLOP/s = 2mkn / time, 1 thread; load average ${load()} on ${availableParallelism()} cores`);
  console.log('shape            m×k·k×n                 gemmScalar  scalar-2x4  wasm-simd   ms(wasm)  speed-up vs best scalar');
  for (const s of SHAPES.filter((x) => !only || only.includes(x.name))) {
    const { m, k, n } = s;
    const a = randomArray(m * k, 1);
    const b = randomArray(k * n, 2);
    const c = new Float32Array(m * n);
    const gf = (ms: number) => (2 * m * k * n) / ms / 1e6;
    const fns = [
      () => gemmScalar(a, b, c, m, k, n, false, false, false),
      () => scalarBlocked(a, b, c, m, k, n, false),
      () => wasm(a, b, c, m, k, n, false, false, false),
    ];
    const trans = withTrans ? ([[true, false], [false, true], [true, true]] as const) : [];
    for (const [tA, tB] of trans) fns.push(() => wasm(a, b, c, m, k, n, tA, tB, true));
    const [tRef, tBlk, tWasm, ...tTrans] = timeAll(reps, fns);
    const dims = `${m}×${k}·${k}×${n}`;
    console.log(
      `${s.name.padEnd(16)} ${dims.padEnd(23)} ${gf(tRef).toFixed(2).padStart(10)}  ${gf(tBlk).toFixed(2).padStart(10)}  ` +
        `${gf(tWasm).toFixed(2).padStart(9)}  ${tWasm.toFixed(1).padStart(9)}  ${(Math.min(tRef, tBlk) / tWasm).toFixed(2)}×`,
    );
    trans.forEach(([tA, tB], i) => {
      const t = tTrans[i];
      console.log(`  wasm ${tA ? 'Aᵀ' : 'A '}·${tB ? 'Bᵀ' : 'B '} accumulate  ${gf(t).toFixed(2).padStart(8)} GFLOP/s  ${t.toFixed(1)} ms`);
    });
  }
  console.log(`load average at the end: ${load()}`);
}
