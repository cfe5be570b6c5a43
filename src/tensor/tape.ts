import type { Kernels } from './kernels/types.js';
import type { AnyOp, Op } from './ops/op.js';
import { type Arr, formatShape, type Mat, type Shape, sharedF32 } from './tensor.js';

/** A value on a tape: an index, valid until the tape's next reset(). */
export type Node = number;

/** A trainable matrix and its gradient buffer (the tape adds into `grad`; see zeroGrads). */
export interface Param<D extends Arr = Float32Array> {
  readonly name: string;
  readonly value: Mat<D>;
  readonly grad: Mat<D>;
}

/** Anything ops can be recorded on (fn.ts takes this, so it works for float32 and float64 tapes). */
export interface Recorder {
  run<A>(op: Op<A>, inputs: readonly Node[], attrs: A): Node;
}

/** A zero-initialised parameter in shared memory. */
export function createParam(name: string, rows: number, cols: number): Param {
  return {
    name,
    value: { rows, cols, data: sharedF32(rows * cols) },
    grad: { rows, cols, data: sharedF32(rows * cols) },
  };
}

/** Set every parameter gradient to zero (the tape only ever adds into them, like PyTorch). */
export function zeroGrads(params: readonly Param<Arr>[]): void {
  for (const p of params) p.grad.data.fill(0);
}

interface Entry {
  readonly op: AnyOp;
  readonly inputs: readonly Node[];
  readonly xs: readonly Mat<Arr>[];
  readonly out: Node;
  readonly attrs: unknown;
  readonly scratch: Arr;
}

/**
 * Reverse-mode autograd as an array (style.md §2.2). `run` computes the op eagerly and appends an entry, so
 * recording order is a topological order; `backward` walks the entries in reverse, without recursion, and
 * every op adds into its input gradients, so a value used twice gets both contributions.
 *
 * The tape owns all intermediate buffers (values, gradients, op scratch). `reset()` returns them to a pool
 * keyed by length; a training step of the same shapes then allocates nothing new. Model code frees nothing.
 * The pool keeps only the buffers of the last `keepSteps` steps (default 1, the step just ended): steps whose
 * shapes vary (deduplicated batch nodes, per-batch unique users) would otherwise keep one set of buffers per
 * shape ever seen, gigabytes over an epoch. A graph that repeats with a period of n steps (lazy plug-in terms)
 * wants keepSteps n, or its expensive step allocates everything anew each time.
 */
export class Tape<D extends Arr = Float32Array> implements Recorder {
  private readonly values: Mat<D>[] = [];
  private readonly grads: (Mat<D> | null)[] = [];
  private readonly needsGrad: boolean[] = [];
  /** For a row view: the viewed node and the element range; null for every other node. */
  private readonly views: ({ readonly of: Node; readonly from: number; readonly to: number } | null)[] = [];
  private readonly entries: Entry[] = [];
  private readonly paramNodes = new Map<Param<D>, Node>();
  private readonly owned: D[] = [];
  private readonly pool = new Map<number, D[]>();
  /** The reset count at which each pooled buffer was last used (kept only when keepSteps > 1). */
  private readonly usedAt = new Map<D, number>();
  private resets = 0;
  private fresh = 0;

  constructor(
    readonly kernels: Kernels,
    private readonly alloc: (length: number) => D,
    private readonly keepSteps = 1,
  ) {}

  /** Buffers created (not recycled) since construction; flat across steps once shapes repeat. */
  get freshAllocations(): number {
    return this.fresh;
  }

  /** Number of recorded op entries. */
  get length(): number {
    return this.entries.length;
  }

  /** A parameter leaf (the same node for repeated calls until reset); gradients go to `p.grad`. */
  param(p: Param<D>): Node {
    const known = this.paramNodes.get(p);
    if (known !== undefined) return known;
    const n = this.leaf(p.value, p.grad, true);
    this.paramNodes.set(p, n);
    return n;
  }

  /** A leaf without gradient; the tape reads it but does not own it. */
  constant(m: Mat<D>): Node {
    return this.leaf(m, null, false);
  }

  run<A>(op: Op<A>, inputs: readonly Node[], attrs: A): Node {
    const xs: Mat<D>[] = [];
    const shapes: Shape[] = [];
    let needs = false;
    for (const i of inputs) {
      if (!Number.isInteger(i) || i < 0 || i >= this.values.length) throw new RangeError(`${op.name}: unknown node ${i}`);
      xs.push(this.values[i]);
      shapes.push([this.values[i].rows, this.values[i].cols]);
      needs ||= this.needsGrad[i];
    }
    const [rows, cols] = op.outShape(shapes, attrs);
    const y: Mat<D> = { rows, cols, data: this.take(rows * cols) };
    const scratch = op.scratch ? this.take(op.scratch(shapes, attrs)) : this.take(0);
    op.forward(this.kernels, xs, y, attrs, scratch);
    const out = this.values.length;
    this.values.push(y);
    this.grads.push(null);
    this.needsGrad.push(needs);
    this.views.push(null);
    this.entries.push({ op, inputs, xs, out, attrs, scratch });
    return out;
  }

  /**
   * Rows [from, from + rows) of x as a node that shares x's buffers: no copy forward, and its gradient is the
   * matching rows of x's gradient, so consumers add straight into x's gradient (what a row gather followed
   * by its scatter-add into a zeroed buffer computes, without the two copies).
   */
  rowsView(x: Node, from: number, rows: number): Node {
    const v = this.values[x];
    if (v === undefined) throw new RangeError(`rowsView: unknown node ${x}`);
    if (!Number.isInteger(from) || !Number.isInteger(rows) || from < 0 || rows < 0 || from + rows > v.rows) {
      throw new RangeError(`rowsView: rows [${from}, ${from + rows}) outside a ${formatShape([v.rows, v.cols])} node`);
    }
    const lo = from * v.cols, hi = (from + rows) * v.cols;
    const n = this.leaf({ rows, cols: v.cols, data: v.data.subarray(lo, hi) as D }, null, this.needsGrad[x]);
    this.views[n] = { of: x, from: lo, to: hi };
    return n;
  }

  value(n: Node): Mat<D> {
    return this.values[n];
  }

  /** The gradient after backward(), or null if none reached the node. */
  grad(n: Node): Mat<D> | null {
    return this.grads[n];
  }

  /** The single entry of a 1 × 1 node. */
  scalar(n: Node): number {
    const v = this.values[n];
    if (v.rows * v.cols !== 1) throw new RangeError(`scalar: node ${n} is ${formatShape([v.rows, v.cols])}, not 1x1`);
    return v.data[0];
  }

  /** Back-propagate from a 1 × 1 node, adding `seed` × ∂loss/∂θ into every reachable parameter gradient. */
  backward(loss: Node, seed = 1): void {
    const l = this.values[loss];
    if (l === undefined || l.rows * l.cols !== 1) throw new RangeError(`backward: loss must be a 1x1 node`);
    if (!this.needsGrad[loss]) return;
    this.gradOf(loss).data[0] += seed;
    for (let e = this.entries.length - 1; e >= 0; e--) {
      const { op, inputs, xs, out, attrs, scratch } = this.entries[e];
      const dy = this.grads[out];
      if (dy === null || !this.needsGrad[out]) continue;
      if (op.gradPassThrough === true) {
        this.passGrad(inputs, dy);
        continue;
      }
      const dxs = inputs.map((i) => (this.needsGrad[i] ? this.gradOf(i) : null));
      op.backward(this.kernels, xs, this.values[out], dy, dxs, attrs, scratch);
    }
  }

  /** Drop all nodes and recycle every buffer the tape allocated. */
  reset(): void {
    this.resets++;
    if (this.keepSteps === 1) this.pool.clear();
    else this.dropIdle();
    for (const b of this.owned) {
      let list = this.pool.get(b.length);
      if (list === undefined) this.pool.set(b.length, (list = []));
      list.push(b);
      if (this.keepSteps > 1) this.usedAt.set(b, this.resets);
    }
    this.owned.length = 0;
    this.values.length = 0;
    this.grads.length = 0;
    this.needsGrad.length = 0;
    this.views.length = 0;
    this.entries.length = 0;
    this.paramNodes.clear();
  }

  /** Forget pooled buffers no step has used in the last keepSteps − 1 resets. */
  private dropIdle(): void {
    const oldest = this.resets - this.keepSteps + 1;
    for (const [length, list] of this.pool) {
      const kept = list.filter((b) => this.usedAt.get(b)! >= oldest);
      for (const b of list) if (this.usedAt.get(b)! < oldest) this.usedAt.delete(b);
      if (kept.length === 0) this.pool.delete(length);
      else this.pool.set(length, kept);
    }
  }

  private leaf(value: Mat<D>, grad: Mat<D> | null, needs: boolean): Node {
    const n = this.values.length;
    this.values.push(value);
    this.grads.push(grad);
    this.needsGrad.push(needs);
    this.views.push(null);
    return n;
  }

  /**
   * Backward of an op whose gradient is dy for every input: an input without a gradient buffer yet gets a
   * copy of dy (one memcpy instead of zero-filling and adding dy: the same values, since a gradient
   * accumulated from +0 never holds −0), the others get dy added.
   */
  private passGrad(inputs: readonly Node[], dy: Mat<D>): void {
    const n = dy.rows * dy.cols;
    for (const i of inputs) {
      if (!this.needsGrad[i]) continue;
      if (this.grads[i] === null && this.views[i] === null) {
        const data = this.take(n);
        data.set(dy.data.subarray(0, n));
        this.grads[i] = { rows: dy.rows, cols: dy.cols, data };
      } else {
        this.kernels.axpy(1, dy.data, this.gradOf(i).data, n);
      }
    }
  }

  private gradOf(n: Node): Mat<D> {
    let g = this.grads[n];
    const view = this.views[n];
    if (g === null && view !== null) {
      const v = this.values[n];
      g = { rows: v.rows, cols: v.cols, data: this.gradOf(view.of).data.subarray(view.from, view.to) as D };
      this.grads[n] = g;
    } else if (g === null) {
      const v = this.values[n];
      const data = this.take(v.rows * v.cols);
      data.fill(0);
      g = { rows: v.rows, cols: v.cols, data };
      this.grads[n] = g;
    }
    return g;
  }

  private take(length: number): D {
    const b = this.pool.get(length)?.pop() ?? this.create(length);
    this.owned.push(b);
    return b;
  }

  private create(length: number): D {
    this.fresh++;
    return this.alloc(length);
  }
}

/** A float32 tape whose buffers live in shared memory (usable by the worker kernels); see Tape for keepSteps. */
export function createTape(kernels: Kernels, keepSteps = 1): Tape {
  return new Tape(kernels, sharedF32, keepSteps);
}

/** A float64 tape for gradient checks of whole graphs. */
export function createTape64(kernels: Kernels): Tape<Float64Array> {
  return new Tape(kernels, (n) => new Float64Array(n));
}
