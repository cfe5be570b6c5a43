import { scalarKernels } from '../tensor/kernels/scalar.js';
import type { GemmFn, Kernels } from '../tensor/kernels/types.js';
import { createWasmGemm } from '../tensor/kernels/wasm-gemm.js';

export interface RunKernels {
  readonly kernels: Kernels;
  /** Stop worker threads, if any. */
  close(): Promise<void>;
}

/**
 * The kernel table for a run: the scalar reference table with the WebAssembly SIMD GEMM when
 * dist/wasm/gemm.wasm is built (float64 calls, i.e. gradient checks, stay on the scalar GEMM). The wasm GEMM
 * sums in float32 where the scalar one sums in float64, so the table's `name` is recorded with every run.
 * Single-threaded: `threads` (train.threads) does not change anything yet.
 */
export async function createRunKernels(threads: number): Promise<RunKernels> {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  const wasm = await createWasmGemm();
  if (!wasm) return { kernels: scalarKernels, close: async () => {} };
  const gemm: GemmFn = (a, b, c, m, k, n, transA, transB, accumulate) =>
    a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array
      ? wasm(a, b, c, m, k, n, transA, transB, accumulate)
      : scalarKernels.gemm(a, b, c, m, k, n, transA, transB, accumulate);
  return { kernels: { ...scalarKernels, name: 'scalar+wasm-gemm', gemm }, close: async () => {} };
}
