/**
 * The Adam step on WebAssembly SIMD (`assembly/adam.ts`, built to `dist/wasm/adam.wasm`): the same float64
 * operations as adamF32, two elements per instruction, so bit-identical to it; about 2× faster on the
 * square root and division that dominate the step, after copying the four arrays in and three out.
 */
import type { Arr } from '../tensor.js';
import { adamStep } from './scalar-elementwise.js';
import type { AdamStepArgs } from './types.js';
import { align16, instantiateWasmSync, wasmHeap, wasmKernelPath } from './wasm-load.js';

export type AdamFn = (param: Arr, grad: Arr, m: Arr, v: Arr, n: number, h: AdamStepArgs) => void;

interface AdamExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  adam(param: number, grad: number, m: number, v: number, n: number,
    beta1: number, beta2: number, stepSize: number, bc2Sqrt: number, eps: number, weightDecay: number): void;
}

export function wasmAdamPath(): string {
  return wasmKernelPath('adam');
}

/** A new instance, or null if the module is missing or this engine lacks SIMD. */
export function createWasmAdamSync(path: string = wasmAdamPath()): AdamFn | null {
  const ex = instantiateWasmSync<AdamExports>(path);
  if (ex === null) return null;
  const base = align16(ex.heapBase());
  const ensure = wasmHeap(ex.memory);
  // Elements per call: four 1 MiB blocks stay in cache between the copy in and the copy out.
  const block = 1 << 18;
  return (param, grad, m, v, n, h) => {
    if (!(param instanceof Float32Array && grad instanceof Float32Array && m instanceof Float32Array && v instanceof Float32Array)) {
      return adamStep(param, grad, m, v, n, h);
    }
    const len = Math.min(n, block), bytes = align16(4 * len);
    const { f32 } = ensure(base + 4 * bytes);
    const [po, go, mo, vo] = [0, 1, 2, 3].map((k) => base + k * bytes);
    for (let s = 0; s < n; s += block) {
      const e = Math.min(n, s + block), c = e - s;
      f32.set(param.subarray(s, e), po >> 2);
      f32.set(grad.subarray(s, e), go >> 2);
      f32.set(m.subarray(s, e), mo >> 2);
      f32.set(v.subarray(s, e), vo >> 2);
      ex.adam(po, go, mo, vo, c, h.beta1, h.beta2, h.stepSize, h.bc2Sqrt, h.eps, h.weightDecay);
      param.set(f32.subarray(po >> 2, (po >> 2) + c), s);
      m.set(f32.subarray(mo >> 2, (mo >> 2) + c), s);
      v.set(f32.subarray(vo >> 2, (vo >> 2) + c), s);
    }
  };
}

let shared: AdamFn | null | undefined;

/** The wasm step when built (one instance per thread, made on first use), else the scalar one. */
export function bestAdamStep(): AdamFn {
  if (shared === undefined) shared = createWasmAdamSync();
  return shared ?? adamStep;
}
