import { createFastKernels } from '../tensor/kernels/fast.js';
import type { Kernels } from '../tensor/kernels/types.js';
import { createWorkerKernels } from '../tensor/kernels/worker-kernels.js';

export interface RunKernels {
  readonly kernels: Kernels;
  /** Stop worker threads, if any. */
  close(): Promise<void>;
}

/**
 * The kernel table for a run (train.threads): one thread → the scalar table with the WebAssembly SIMD GEMM
 * when dist/wasm/gemm.wasm is built; more → the worker pool, whose results are bit-identical to one thread's.
 * The wasm GEMM sums in float32 where the scalar one sums in float64, so the table's `name` is recorded with
 * every run.
 */
export async function createRunKernels(threads: number): Promise<RunKernels> {
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  if (threads === 1) return { kernels: await createFastKernels(), close: async () => {} };
  const kernels = await createWorkerKernels({ threads });
  return { kernels, close: () => kernels.close() };
}
