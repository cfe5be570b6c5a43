/**
 * The row softmax on WebAssembly SIMD (`assembly/rows.ts`, built to `dist/wasm/rows.wasm`), bit-identical to
 * softmaxRows in scalar-rows.ts (its exp is fdlibm's, as expFdlibm, two lanes at a time). InfoNCE spends much
 * of its time here (a 1024 × 2048 softmax per term and step in LMMRec and RLMRec). Rows are copied through the
 * instance's memory in blocks that stay in cache; lse = max + log(sum) is finished here, since wasm has no log,
 * and a row holding a NaN is recomputed by the JS kernel.
 */
import type { Arr } from '../tensor.js';
import { softmaxRows as softmaxRowsJs } from './scalar-rows.js';
import { align16, instantiateWasmSync, wasmHeap, wasmKernelPath } from './wasm-load.js';

export type SoftmaxRowsFn = (x: Arr, y: Arr, lse: Arr, rows: number, cols: number, scale: number) => void;

interface RowsExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  softmaxRows(x: number, y: number, stats: number, rows: number, cols: number, scale: number): void;
}

export function wasmRowsPath(): string {
  return wasmKernelPath('rows');
}

/** Floats of x per block (128 KiB; y and the row stats come on top), at least one row. */
const BLOCK = 1 << 15;
/** Below this many elements per call the JS loop is as fast as the copies. */
const SMALL = 64;

/** A new instance's softmaxRows, or null if the module is missing or this engine lacks SIMD. */
export function createWasmSoftmaxRowsSync(path: string = wasmRowsPath()): SoftmaxRowsFn | null {
  const ex = instantiateWasmSync<RowsExports>(path);
  if (ex === null) return null;
  const base = align16(ex.heapBase());
  const ensure = wasmHeap(ex.memory);
  return (x, y, lse, rows, cols, scale) => {
    if (rows * cols < SMALL || !(x instanceof Float32Array) || !(y instanceof Float32Array)) return softmaxRowsJs(x, y, lse, rows, cols, scale);
    const per = Math.max(1, Math.floor(BLOCK / cols)), floats = per * cols;
    const xo = base, yo = align16(xo + 4 * floats), so = align16(yo + 4 * floats);
    for (let r0 = 0; r0 < rows; r0 += per) {
      const n = Math.min(per, rows - r0), len = n * cols, at = r0 * cols;
      // Views after ensure(): a growth in an earlier call detaches older ones.
      const { f32 } = ensure(so + 16 * per), stats = new Float64Array(f32.buffer, so, 2 * n);
      f32.set(x.subarray(at, at + len), xo >> 2);
      ex.softmaxRows(xo, yo, so, n, cols, scale);
      y.set(f32.subarray(yo >> 2, (yo >> 2) + len), at);
      for (let i = 0; i < n; i++) {
        const s = stats[2 * i + 1];
        if (s >= 0) lse[r0 + i] = stats[2 * i] + Math.log(s);
        else {
          const row = (xo >> 2) + i * cols;
          softmaxRowsJs(f32.subarray(row, row + cols), y.subarray(at + i * cols, at + (i + 1) * cols), lse.subarray(r0 + i, r0 + i + 1), 1, cols, scale);
        }
      }
    }
  };
}

let shared: SoftmaxRowsFn | null | undefined;

/** The wasm softmax when built (one instance per thread, made on first use), else the JS one. */
export function bestSoftmaxRows(): SoftmaxRowsFn {
  if (shared === undefined) shared = createWasmSoftmaxRowsSync();
  return shared ?? softmaxRowsJs;
}
