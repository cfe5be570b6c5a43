import * as F from '../../tensor/fn.js';
import { uniformInit, xavierUniform } from '../../tensor/init.js';
import { createParam, type Node, type Param, type Tape } from '../../tensor/tape.js';
import type { Rng } from '../../util/rng.js';

/**
 * The RLMRec / IRLLRec text projector (method.md §B.1): Linear(d_in, h) → LeakyReLU(0.01) → Linear(h, d_out),
 * h = ⌊(d_in + d_out)/2⌋ by default. Weights Xavier-uniform (as `init(m.weight)` in the reference code);
 * biases keep torch.nn.Linear's default U(±1/sqrt(fan_in)). Weights are stored d_in × h (x W + b).
 */
export interface Projector {
  readonly params: readonly Param[];
  readonly dimIn: number;
  readonly dimOut: number;
  /** rows × d_in → rows × d_out. `detached`: the weights enter as constants (a momentum teacher). */
  forward(t: Tape, x: Node, detached?: boolean): Node;
}

export function createProjector(name: string, dimIn: number, dimOut: number, rng: Rng, hidden = Math.floor((dimIn + dimOut) / 2)): Projector {
  const w1 = createParam(`${name}.w1`, dimIn, hidden), b1 = createParam(`${name}.b1`, 1, hidden);
  const w2 = createParam(`${name}.w2`, hidden, dimOut), b2 = createParam(`${name}.b2`, 1, dimOut);
  xavierUniform(w1.value, rng.derive('w1'));
  uniformInit(b1.value, rng.derive('b1'), -1 / Math.sqrt(dimIn), 1 / Math.sqrt(dimIn));
  xavierUniform(w2.value, rng.derive('w2'));
  uniformInit(b2.value, rng.derive('b2'), -1 / Math.sqrt(hidden), 1 / Math.sqrt(hidden));
  return projectorOver([w1, b1, w2, b2], dimIn, dimOut);
}

/** A projector with the same shapes whose parameters start as a copy of `p`'s (no gradient is ever taken). */
export function copyProjector(name: string, p: Projector): Projector {
  const copies = p.params.map((q) => {
    const c = createParam(`${name}.${q.name.slice(q.name.indexOf('.') + 1)}`, q.value.rows, q.value.cols);
    c.value.data.set(q.value.data);
    return c;
  });
  return projectorOver(copies, p.dimIn, p.dimOut);
}

function projectorOver(params: Param[], dimIn: number, dimOut: number): Projector {
  const [w1, b1, w2, b2] = params;
  return {
    params,
    dimIn,
    dimOut,
    forward(t, x, detached = false) {
      const leaf = (p: Param): Node => (detached ? t.constant(p.value) : t.param(p));
      const h = F.leakyRelu(t, F.addRowVector(t, F.matmul(t, x, leaf(w1)), leaf(b1)));
      return F.addRowVector(t, F.matmul(t, h, leaf(w2)), leaf(b2));
    },
  };
}

/**
 * θ_tch ← m·θ_tch + (1 − m)·θ over matching parameter lists (method.md §B.2), computed in double precision and
 * rounded once per entry.
 */
export function emaUpdate(teacher: readonly Param[], student: readonly Param[], m: number): void {
  for (let p = 0; p < teacher.length; p++) {
    const a = teacher[p].value.data, b = student[p].value.data;
    for (let i = 0; i < a.length; i++) a[i] = m * a[i] + (1 - m) * b[i];
  }
}

/** weight · Σ‖θ‖² over the given parameters (method.md §B.4.6: L2 over every trainable parameter). */
export function l2Penalty(t: Tape, params: readonly Param[], weight: number): Node {
  let acc = F.sumSquares(t, t.param(params[0]));
  for (let i = 1; i < params.length; i++) acc = F.add(t, acc, F.sumSquares(t, t.param(params[i])));
  return F.scale(t, acc, weight);
}
