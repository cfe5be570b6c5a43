import { type GemmChoice, loadGemm } from './gemm-select.js';
import { scalarKernels } from './scalar.js';
import type { Kernels } from './types.js';
import { bestAdamStep } from './wasm-adam.js';
import { bestElementwise } from './wasm-elementwise.js';
import { bestSoftmaxRows } from './wasm-rows.js';
import { bestSpmm } from './wasm-spmm.js';

export interface FastKernels extends Kernels {
  readonly gemmKind: 'wasm' | 'scalar';
}

/**
 * Single-threaded kernels with the fastest GEMM available: the scalar table with the wasm SIMD GEMM when
 * dist/wasm/gemm.wasm is built (`npm run build`), the scalar GEMM otherwise (`gemmKind` says which). SpMM,
 * the Adam step, addMany, axpy and the row softmax use the wasm SIMD kernels when
 * dist/wasm/{spmm,adam,elementwise,rows}.wasm are built; those are bit-identical to the scalar ones.
 */
export async function createFastKernels(gemm: GemmChoice = 'auto'): Promise<FastKernels> {
  const loaded = await loadGemm(gemm);
  return { ...scalarKernels, name: `fast-${loaded.kind}`, gemm: loaded.gemm, spmm: bestSpmm(), adamStep: bestAdamStep(), ...bestElementwise(), softmaxRows: bestSoftmaxRows(), gemmKind: loaded.kind };
}
