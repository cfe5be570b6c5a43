import { createRng, type Rng } from '../util/rng.js';
import { scalarKernels } from './kernels/scalar.js';
import type { Kernels } from './kernels/types.js';
import type { Op, OpSample } from './ops/op.js';
import { createTape64, type Node, type Param, type Tape } from './tape.js';
import { type Arr, formatShape, type Mat, matrix64 } from './tensor.js';

/**
 * Finite-difference gradient checks in float64 (style.md §2.1). The analytic gradient, projected on a random
 * direction, must match the central difference (f(x + h·v) − f(x − h·v)) / 2h at h = 1e-6. Gradient buffers
 * are pre-filled with random values and the pre-fill is subtracted afterwards, so an op that assigns
 * instead of accumulating fails; outputs and scratch are pre-filled with NaN, so a forward that leaves
 * entries unwritten fails too.
 */
export interface GradCheckOptions<A> {
  seed?: number;
  h?: number;
  /** Accept |analytic − numeric| ≤ tol · max(1, |analytic|, |numeric|). */
  tol?: number;
  /** Check this input instead of op.sample's. */
  sample?: OpSample<A>;
  kernels?: Kernels;
}

export interface DirectionalCheck {
  readonly input: number;
  readonly analytic: number;
  readonly numeric: number;
}

/** Throws an Error naming the op and input on a mismatch; returns the compared numbers otherwise. */
export function checkOpGradient<A>(op: Op<A>, opts: GradCheckOptions<A> = {}): DirectionalCheck[] {
  const h = opts.h ?? 1e-6, tol = opts.tol ?? 1e-6, k = opts.kernels ?? scalarKernels;
  const rng = createRng(opts.seed ?? 1).derive(op.name);
  const { inputs: xs, attrs } = opts.sample ?? op.sample(rng);
  const shapes = xs.map((x) => [x.rows, x.cols] as const);
  const [rows, cols] = op.outShape(shapes, attrs);
  const y = matrix64(rows, cols);
  const scratch = new Float64Array(op.scratch?.(shapes, attrs) ?? 0);
  const w = randomLike(rng, y);
  const before = xs.map((x) => x.data.slice());

  const f = (): number => {
    y.data.fill(NaN);
    scratch.fill(NaN);
    op.forward(k, xs, y, attrs, scratch);
    return dot(w.data, y.data);
  };

  // Full backward with every slot, then one slot at a time: both must give the same gradient.
  f();
  const prefill = xs.map((x) => randomLike(rng, x));
  const full = prefill.map((p) => matrix64(p.rows, p.cols, p.data.slice()));
  op.backward(k, xs, y, w, full, attrs, scratch);
  const grads = full.map((g, i) => diff(g.data, prefill[i].data));
  xs.forEach((x, i) => {
    if (!equal(x.data, before[i])) throw new Error(`${op.name}: backward modified input ${i}`);
  });

  const results: DirectionalCheck[] = [];
  for (let i = 0; i < xs.length; i++) {
    const only = xs.map((_, j) => (j === i ? matrix64(xs[j].rows, xs[j].cols, prefill[j].data.slice()) : null));
    f(); // the previous finite difference left y and scratch at a perturbed point
    op.backward(k, xs, y, w, only, attrs, scratch);
    const alone = diff(only[i]!.data, prefill[i].data);
    const v = randomLike(rng, xs[i]).data;
    const analytic = dot(grads[i], v);
    if (Math.abs(dot(alone, v) - analytic) > tol * Math.max(1, Math.abs(analytic))) {
      throw new Error(`${op.name}: input ${i} gets a different gradient when the other slots are null`);
    }
    const numeric = centralDifference(f, xs[i].data, v, h);
    results.push({ input: i, analytic, numeric });
    if (!(Math.abs(analytic - numeric) <= tol * Math.max(1, Math.abs(analytic), Math.abs(numeric)))) {
      throw new Error(
        `${op.name}: gradient of input ${i} (${formatShape(shapes[i])}) along a random direction is ${analytic}, ` +
          `finite difference ${numeric}`,
      );
    }
  }
  return results;
}

/**
 * The same check for a whole graph on a float64 tape: `build` records a 1 × 1 loss from the parameters; the
 * parameter gradients along a random direction must match the central difference of the loss.
 */
export function checkGraphGradient(
  params: readonly Param<Float64Array>[],
  build: (t: Tape<Float64Array>) => Node,
  opts: { seed?: number; h?: number; tol?: number; kernels?: Kernels } = {},
): DirectionalCheck {
  const h = opts.h ?? 1e-6, tol = opts.tol ?? 1e-6;
  const rng = createRng(opts.seed ?? 1).derive('graph');
  const t = createTape64(opts.kernels ?? scalarKernels);
  const f = (): number => {
    t.reset();
    return t.scalar(build(t));
  };
  const prefill = params.map((p) => randomLike(rng, p.grad));
  params.forEach((p, i) => p.grad.data.set(prefill[i].data));
  t.reset();
  t.backward(build(t));
  const dirs = params.map((p) => randomLike(rng, p.value).data);
  let analytic = 0, numeric = 0;
  params.forEach((p, i) => {
    analytic += dot(diff(p.grad.data, prefill[i].data), dirs[i]);
    numeric += centralDifference(f, p.value.data, dirs[i], h);
  });
  if (!(Math.abs(analytic - numeric) <= tol * Math.max(1, Math.abs(analytic), Math.abs(numeric)))) {
    throw new Error(`graph gradient along a random direction is ${analytic}, finite difference ${numeric}`);
  }
  return { input: -1, analytic, numeric };
}

function centralDifference(f: () => number, x: Arr, v: Float64Array, h: number): number {
  const x0 = x.slice();
  for (let j = 0; j < x.length; j++) x[j] = x0[j] + h * v[j];
  const fp = f();
  for (let j = 0; j < x.length; j++) x[j] = x0[j] - h * v[j];
  const fm = f();
  x.set(x0);
  return (fp - fm) / (2 * h);
}

function randomLike(rng: Rng, m: Mat<Arr>): Mat<Float64Array> {
  const r = matrix64(m.rows, m.cols);
  for (let i = 0; i < r.data.length; i++) r.data[i] = 2 * rng.next() - 1;
  return r;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function diff(a: Arr, b: Arr): Float64Array {
  const d = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = a[i] - b[i];
  return d;
}

function equal(a: Arr, b: Arr): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}
