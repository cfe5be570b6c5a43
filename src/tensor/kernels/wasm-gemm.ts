/**
 * Dense GEMM on WebAssembly SIMD: a register-blocked f32x4 kernel written in AssemblyScript
 * (`assembly/gemm.ts`), compiled by `npm run build` (scripts/build-wasm.mjs) to `dist/wasm/gemm.wasm`.
 *
 * Memory: each instance owns one growable linear memory. A call copies op(A)'s rows chunk by chunk, all of
 * B, and C's rows in and out; the copies are O(mk + kn + mn) against O(mkn) multiply-adds. The memory grows
 * to the largest call seen (about k·n·8 bytes for B and its packed copy plus one row chunk) and never
 * shrinks.
 *
 * Threads: a WebAssembly instance cannot be shared between worker threads. Each worker calls
 * `createWasmGemmSync()` once at start-up and gets its own module instance and memory (well under a
 * millisecond once V8 has the module cached; a few ms the first time). V8 first runs new wasm code on its
 * baseline tier and swaps in optimised code once it is hot, so time a warmed-up call, not the first.
 *
 * Summation order (bit-identity across thread counts): C[i,j] = fold over p = 0..k-1 of c + A[i,p]·B[p,j]
 * in f32 (multiply, round, add, round), starting from 0 or the old C[i,j]. No blocking changes that order,
 * so a row's result is the same whichever rows share the call. It differs from a scalar JS loop that
 * accumulates in f64.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { LmmrecError } from '../../util/errors.js';

/** Row-major C(m×n) (+)= op(A)(m×k)·op(B)(k×n); A is stored k×m when transA, B is stored n×k when transB. */
export type GemmFn = (
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
  accumulate: boolean,
) => void;

interface GemmExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  blockRows(): number;
  blockCols(): number;
  blockDepth(): number;
  packB(b: number, k: number, n: number, transB: number, dst: number): void;
  gemmPacked(a: number, lda: number, transA: number, m: number, k: number, n: number, pb: number, c: number, accumulate: number, work: number): void;
}

export interface WasmGemmOptions {
  /** The compiled module; defaults to `wasmGemmPath()`. */
  path?: string | URL;
  /**
   * Bytes of C computed per kernel call. A chunk small enough to stay in L2 is copied out while still hot;
   * too small and B's packed panels are re-read from L3 too often. Default 512 KiB (see bench/gemm.ts).
   */
  chunkBytes?: number;
}

/** Where `npm run build` puts the module: `<package>/dist/wasm/gemm.wasm`, the same from `src/` and `dist/`. */
export function wasmGemmPath(): string {
  return fileURLToPath(new URL('../../../dist/wasm/gemm.wasm', import.meta.url));
}

/** The kernel compiled from the built module, or null if the module is missing or this engine lacks SIMD. */
export async function createWasmGemm(options: WasmGemmOptions = {}): Promise<GemmFn | null> {
  const path = options.path ?? wasmGemmPath();
  if (!existsSync(path)) return null;
  const bytes = await readFile(path);
  if (!WebAssembly.validate(bytes)) return null;
  const { instance } = await WebAssembly.instantiate(bytes);
  return wrap(instance.exports as unknown as GemmExports, options);
}

/** As createWasmGemm, synchronously (worker start-up, module initialisers). */
export function createWasmGemmSync(options: WasmGemmOptions = {}): GemmFn | null {
  const path = options.path ?? wasmGemmPath();
  if (!existsSync(path)) return null;
  const bytes = readFileSync(path);
  if (!WebAssembly.validate(bytes)) return null;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  return wrap(instance.exports as unknown as GemmExports, options);
}

const align16 = (x: number): number => (x + 15) & ~15;

function checkArgs(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number): void {
  for (const [name, v] of [['m', m], ['k', k], ['n', n]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new LmmrecError('USAGE', `gemm: ${name} must be a non-negative integer, got ${v}`);
  }
  for (const [name, arr, need] of [['a', a, m * k], ['b', b, k * n], ['c', c, m * n]] as const) {
    if (arr.length < need) throw new LmmrecError('USAGE', `gemm: ${name} has ${arr.length} elements, needs ${need} (m=${m}, k=${k}, n=${n})`);
  }
}

function wrap(ex: GemmExports, options: WasmGemmOptions): GemmFn {
  const MR = ex.blockRows();
  const NR = ex.blockCols();
  const KC = ex.blockDepth();
  const base = align16(ex.heapBase());
  const chunkBytes = options.chunkBytes ?? 512 * 1024;

  function ensure(bytes: number): Float32Array {
    const have = ex.memory.buffer.byteLength;
    if (bytes > have) ex.memory.grow(Math.ceil((bytes - have) / 65536));
    return new Float32Array(ex.memory.buffer);
  }

  return (a, b, c, m, k, n, transA, transB, accumulate) => {
    checkArgs(a, b, c, m, k, n);
    if (m === 0 || n === 0) return;
    if (k === 0) {
      if (!accumulate) c.fill(0, 0, m * n);
      return;
    }
    // Rows per chunk: a multiple of MR with about chunkBytes of C, a packed A block (rows × min(k, KC))
    // of at most 256 KiB so it stays in L2 next to the C chunk, and at most 1024 rows.
    const fit = Math.min(chunkBytes / (4 * n), (256 * 1024) / (4 * Math.min(k, KC)), 1024);
    const rows = Math.min(m, MR * Math.max(1, Math.floor(fit / MR)));
    const panelsN = Math.ceil(n / NR);
    const bRaw = base;
    const bPacked = align16(bRaw + 4 * k * n);
    const aChunk = align16(bPacked + 4 * panelsN * NR * k);
    const cChunk = align16(aChunk + 4 * rows * k);
    const work = align16(cChunk + 4 * rows * n);
    const end = work + 4 * (Math.ceil(rows / MR) * MR * KC + MR * NR);
    const mem = ensure(end);

    mem.set(b.subarray(0, k * n), bRaw >> 2);
    ex.packB(bRaw, k, n, transB ? 1 : 0, bPacked);
    for (let r0 = 0; r0 < m; r0 += rows) {
      const h = Math.min(rows, m - r0);
      if (transA) {
        // A stored k×m: the chunk is a k×h block with row stride h in wasm memory.
        for (let p = 0; p < k; p++) mem.set(a.subarray(p * m + r0, p * m + r0 + h), (aChunk >> 2) + p * h);
      } else {
        mem.set(a.subarray(r0 * k, (r0 + h) * k), aChunk >> 2);
      }
      const cRows = c.subarray(r0 * n, (r0 + h) * n);
      if (accumulate) mem.set(cRows, cChunk >> 2);
      ex.gemmPacked(aChunk, transA ? h : k, transA ? 1 : 0, h, k, n, bPacked, cChunk, accumulate ? 1 : 0, work);
      cRows.set(mem.subarray(cChunk >> 2, (cChunk >> 2) + h * n));
    }
  };
}
