/**
 * SpMM on WebAssembly SIMD: f64x2 accumulators written in AssemblyScript (`assembly/spmm.ts`), compiled by
 * `npm run build` to `dist/wasm/spmm.wasm`. Same contract as spmmScalar and bit-identical to it (each output
 * element is a float64 sum over the row's entries in storage order, rounded once), about 2–3× faster
 * because two columns go through one SIMD multiply-add and wasm needs no bounds checks.
 *
 * Memory: each instance (one per thread) owns a growable linear memory. A call copies the CSR rows, the band
 * of x's rows they read (from the smallest to the largest column index; half of x for a thread's part of the
 * bipartite Â) and (when accumulating) y in, and y out: O(nnz + cols·n + rows·n) against O(nnz·n)
 * multiply-adds. The memory grows to the largest call seen and never shrinks.
 */
import type { SparseMat } from '../sparse.js';
import type { Arr } from '../tensor.js';
import { spmmScalar } from './scalar-sparse.js';
import { align16, instantiateWasmSync, wasmHeap, wasmKernelPath } from './wasm-load.js';

export type SpmmFn = (a: SparseMat, x: Arr, y: Arr, n: number, accumulate: boolean) => void;

interface SpmmExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  spmm(indptr: number, indices: number, values: number, x: number, y: number, rows: number, n: number, base: number, accumulate: number): void;
  colRange(indices: number, count: number, out: number): void;
}

/** Where `npm run build` puts the module: `<package>/dist/wasm/spmm.wasm`. */
export function wasmSpmmPath(): string {
  return wasmKernelPath('spmm');
}

/** A new instance of the built kernel, or null if the module is missing or this engine lacks SIMD. */
export function createWasmSpmmSync(path: string = wasmSpmmPath()): SpmmFn | null {
  const ex = instantiateWasmSync<SpmmExports>(path);
  return ex === null ? null : wrap(ex);
}

let shared: SpmmFn | null | undefined;

/** One instance per thread, created on first use (a wasm instance cannot be shared between threads). */
export function threadWasmSpmm(): SpmmFn | null {
  if (shared === undefined) shared = createWasmSpmmSync();
  return shared;
}

/** The wasm kernel when built, else the scalar one (same results either way). */
export function bestSpmm(): SpmmFn {
  return threadWasmSpmm() ?? spmmScalar;
}

function wrap(ex: SpmmExports): SpmmFn {
  const base = align16(ex.heapBase());
  const ensure = wasmHeap(ex.memory);
  return (a, x, y, n, accumulate) => {
    if (!(x instanceof Float32Array) || !(y instanceof Float32Array)) return spmmScalar(a, x, y, n, accumulate);
    const rows = a.rows;
    if (rows === 0 || n === 0) return;
    const e0 = a.indptr[0], e1 = a.indptr[rows], xLen = a.cols * n, yLen = rows * n;
    if (x.length < xLen || y.length < yLen) throw new RangeError(`spmm: x needs ${xLen} values (has ${x.length}), y ${yLen} (has ${y.length})`);
    const nnz = e1 - e0;
    const range = base, ip = base + 16, idx = align16(ip + 4 * (rows + 1)), val = align16(idx + 4 * nnz);
    let { i32, f32 } = ensure(val + 4 * nnz);
    i32.set(a.indices.subarray(e0, e1), idx >> 2);
    // Copy only the band of x's rows this part reads (a thread's part of the bipartite Â reads one half).
    let lo = 0, hi = -1;
    if (nnz > 0) {
      ex.colRange(idx, nnz, range);
      lo = i32[range >> 2];
      hi = i32[(range >> 2) + 1];
      if (lo < 0 || hi >= a.cols) throw new RangeError(`spmm: column index ${lo < 0 ? lo : hi} outside [0, ${a.cols})`);
    }
    const xo = align16(val + 4 * nnz), yo = align16(xo + 4 * (hi - lo + 1) * n);
    ({ i32, f32 } = ensure(yo + 4 * yLen));
    i32.set(a.indptr.subarray(0, rows + 1), ip >> 2);
    f32.set(a.values.subarray(e0, e1), val >> 2);
    if (nnz > 0) f32.set(x.subarray(lo * n, (hi + 1) * n), xo >> 2);
    if (accumulate) f32.set(y.subarray(0, yLen), yo >> 2);
    // Row c of x sits at xo + (c − lo)·n·4; the kernel adds c·n·4 to (xo − lo·n·4) modulo 2^32.
    ex.spmm(ip, idx, val, (xo - 4 * lo * n) >>> 0, yo, rows, n, e0, accumulate ? 1 : 0);
    y.set(f32.subarray(yo >> 2, (yo >> 2) + yLen));
  };
}
