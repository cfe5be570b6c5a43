import { scalarKernels } from '../tensor/kernels/scalar.js';
import type { Kernels } from '../tensor/kernels/types.js';

export interface RunKernels {
  readonly kernels: Kernels;
  /** Stop worker threads, if any. */
  close(): Promise<void>;
}

/**
 * The kernel table for a run with `threads` threads. Every table gives bit-identical results (the kernel
 * contract), so this choice changes speed only, never numbers.
 */
export async function createRunKernels(threads: number): Promise<RunKernels> {
  void threads;
  return { kernels: scalarKernels, close: async () => {} };
}
