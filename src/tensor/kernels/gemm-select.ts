import { gemmScalar } from './scalar-gemm.js';
import type { GemmFn } from './types.js';
import { createWasmGemm, createWasmGemmSync } from './wasm-gemm.js';

/** Which dense GEMM a kernel table uses: the wasm SIMD kernel when built ('auto'), or one explicitly. */
export type GemmChoice = 'auto' | 'wasm' | 'scalar';

export interface LoadedGemm {
  readonly gemm: GemmFn;
  readonly kind: 'wasm' | 'scalar';
}

/**
 * The wasm kernel takes Float32Array only; float64 calls (gradient checks) go to the scalar kernel. 'wasm'
 * throws if the module is missing (run `npm run build`); 'auto' falls back to scalar quietly, and the
 * returned `kind` says which one is in use (benchmarks print it).
 */
export async function loadGemm(choice: GemmChoice): Promise<LoadedGemm> {
  return pick(choice, choice === 'scalar' ? null : await createWasmGemm());
}

/** As loadGemm, synchronously (worker start-up). */
export function loadGemmSync(choice: GemmChoice): LoadedGemm {
  return pick(choice, choice === 'scalar' ? null : createWasmGemmSync());
}

function pick(choice: GemmChoice, wasm: Awaited<ReturnType<typeof createWasmGemm>>): LoadedGemm {
  if (wasm === null) {
    if (choice === 'wasm') throw new Error('gemm: the wasm kernel is not built (dist/wasm/gemm.wasm); run `npm run build`');
    return { gemm: gemmScalar, kind: 'scalar' };
  }
  const gemm: GemmFn = (a, b, c, m, k, n, transA, transB, accumulate) => {
    if (a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array) {
      wasm(a, b, c, m, k, n, transA, transB, accumulate);
    } else {
      gemmScalar(a, b, c, m, k, n, transA, transB, accumulate);
    }
  };
  return { gemm, kind: 'wasm' };
}
