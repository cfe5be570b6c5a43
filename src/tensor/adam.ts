import { scalarKernels } from './kernels/scalar.js';
import type { Kernels } from './kernels/types.js';
import type { Param } from './tape.js';
import { type Arr, sharedF32 } from './tensor.js';

export interface AdamOptions {
  lr: number;
  /** Default 0.9 */
  beta1?: number;
  /** Default 0.999 */
  beta2?: number;
  /** Added after the square root of the bias-corrected v, as in PyTorch. Default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient (torch.optim.Adam's weight_decay, not AdamW). Default 0. */
  weightDecay?: number;
}

/** Optimiser state for checkpoints: the step count and both moment buffers per parameter, in `params` order. */
export interface AdamState {
  readonly step: number;
  readonly m: readonly Arr[];
  readonly v: readonly Arr[];
}

export interface Adam {
  /** Mutable, for schedules. */
  lr: number;
  /** Steps taken so far. */
  readonly stepCount: number;
  /** One update of every parameter from its current `grad` (gradients are left as they are). */
  step(): void;
  /** Live views of the state (copy them before the next step if you keep them). */
  state(): AdamState;
  /** Restore a state saved from an optimiser over the same parameter shapes. */
  load(state: AdamState): void;
}

/**
 * torch.optim.Adam (amsgrad=False, maximize=False) exactly as PyTorch writes it:
 *   g ← g + weight_decay·θ
 *   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²
 *   θ ← θ − (lr / (1−β1^t)) · m / (sqrt(v) / sqrt(1−β2^t) + eps)
 * The bias corrections are computed in float64 as Python does; the elementwise update runs in the kernel
 * table (so the worker pool splits it across threads).
 */
export function createAdam(params: readonly Param<Arr>[], opts: AdamOptions, kernels: Kernels = scalarKernels): Adam {
  const beta1 = opts.beta1 ?? 0.9, beta2 = opts.beta2 ?? 0.999, eps = opts.eps ?? 1e-8, weightDecay = opts.weightDecay ?? 0;
  if (!(opts.lr >= 0)) throw new RangeError(`adam: lr must be ≥ 0, got ${opts.lr}`);
  if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) throw new RangeError(`adam: betas must be in [0, 1), got ${beta1}, ${beta2}`);
  if (!(eps >= 0) || !(weightDecay >= 0)) throw new RangeError(`adam: eps and weightDecay must be ≥ 0`);
  const alloc = (p: Param<Arr>): Arr => {
    const n = p.value.rows * p.value.cols;
    return p.value.data instanceof Float64Array ? new Float64Array(n) : sharedF32(n);
  };
  const m = params.map(alloc), v = params.map(alloc);
  let t = 0;
  const adam: Adam = {
    lr: opts.lr,
    get stepCount() {
      return t;
    },
    step() {
      t++;
      const args = {
        beta1, beta2, eps, weightDecay,
        stepSize: adam.lr / (1 - beta1 ** t),
        bc2Sqrt: Math.sqrt(1 - beta2 ** t),
      };
      params.forEach((p, i) => kernels.adamStep(p.value.data, p.grad.data, m[i], v[i], p.value.rows * p.value.cols, args));
    },
    state: () => ({ step: t, m, v }),
    load(state) {
      if (state.m.length !== params.length || state.v.length !== params.length) {
        throw new RangeError(`adam.load: state has ${state.m.length} tensors, optimiser has ${params.length}`);
      }
      params.forEach((p, i) => {
        if (state.m[i].length !== m[i].length || state.v[i].length !== v[i].length) {
          throw new RangeError(`adam.load: moment ${i} (${p.name}) has the wrong length`);
        }
        m[i].set(state.m[i]);
        v[i].set(state.v[i]);
      });
      t = state.step;
    },
  };
  return adam;
}
