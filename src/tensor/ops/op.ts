import type { Rng } from '../../util/rng.js';
import type { Kernels } from '../kernels/types.js';
import { type Arr, formatShape, type Mat, type Shape } from '../tensor.js';

/** Inputs (float64, for the gradient check) and attributes that exercise an op. */
export interface OpSample<A> {
  readonly inputs: Mat<Float64Array>[];
  readonly attrs: A;
}

/**
 * One differentiable operation, all in one object (style.md §2.1): shape rule, forward, backward and a sample
 * input, so the registry-driven gradient test covers every op.
 *
 * Contract:
 * - `forward` overwrites every entry of `y` (the tape hands out recycled buffers, not zeroed ones).
 * - `backward` ADDS into the non-null `dxs` slots and never writes a null slot's input.
 * - `scratch` (optional) sizes a buffer the tape keeps from forward to backward; its contents on entry to
 *   forward are garbage. Backward may be called more than once and must leave scratch reusable.
 */
export interface Op<A = void> {
  readonly name: string;
  /** The output shape; throws a RangeError naming the op when the inputs do not fit. */
  outShape(inputs: readonly Shape[], attrs: A): Shape;
  scratch?(inputs: readonly Shape[], attrs: A): number;
  forward(k: Kernels, xs: readonly Mat<Arr>[], y: Mat<Arr>, attrs: A, scratch: Arr): void;
  backward(
    k: Kernels, xs: readonly Mat<Arr>[], y: Mat<Arr>, dy: Mat<Arr>,
    dxs: readonly (Mat<Arr> | null)[], attrs: A, scratch: Arr,
  ): void;
  sample(rng: Rng): OpSample<A>;
  /**
   * Set when `backward` does exactly dx += dy for every input (add, addN): the tape then copies dy into an
   * input's gradient buffer it has not created yet instead of zero-filling it and calling backward.
   */
  readonly gradPassThrough?: true;
}

/** Any op, for registries and the tape's entry list (the attribute type is erased there). */
export type AnyOp = Op<any>;

/** Throw a RangeError naming the op and the offending shapes unless `ok`. */
export function check(ok: boolean, op: string, inputs: readonly Shape[], what: string): void {
  if (!ok) throw new RangeError(`${op}: ${what} (inputs ${inputs.map(formatShape).join(', ') || 'none'})`);
}

/** Checks the input count and returns nothing; every op starts with it. */
export function arity(op: string, inputs: readonly Shape[], n: number): void {
  check(inputs.length === n, op, inputs, `expects ${n} input${n === 1 ? '' : 's'}, got ${inputs.length}`);
}

/** A 1 × 1 output (losses and reductions). */
export const SCALAR: Shape = [1, 1];

/** Number of entries of a matrix. */
export function size(m: Mat<Arr>): number {
  return m.rows * m.cols;
}
