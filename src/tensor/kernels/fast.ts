import { type GemmChoice, loadGemm } from './gemm-select.js';
import { scalarKernels } from './scalar.js';
import type { Kernels } from './types.js';
import { bestSpmm } from './wasm-spmm.js';

export interface FastKernels extends Kernels {
  readonly gemmKind: 'wasm' | 'scalar';
}

/**
 * Single-threaded kernels with the fastest GEMM available: the scalar table with the wasm SIMD GEMM when
 * dist/wasm/gemm.wasm is built (`npm run build`), the scalar GEMM otherwise (`gemmKind` says which). SpMM
 * uses the wasm SIMD kernel when dist/wasm/spmm.wasm is built; it is bit-identical to the scalar one.
 */
export async function createFastKernels(gemm: GemmChoice = 'auto'): Promise<FastKernels> {
  const loaded = await loadGemm(gemm);
  return { ...scalarKernels, name: `fast-${loaded.kind}`, gemm: loaded.gemm, spmm: bestSpmm(), gemmKind: loaded.kind };
}
