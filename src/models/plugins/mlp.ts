import * as F from '../../tensor/fn.js';
import { uniformInit, xavierUniform } from '../../tensor/init.js';
import { createParam, type Node, type Param, type Tape } from '../../tensor/tape.js';
import type { Rng } from '../../util/rng.js';

/**
 * A plain multi-layer perceptron x W₁ + b₁ → act → … → x W_L + b_L (no activation after the last layer), for
 * the baselines' encoders and adapters (RQ encoder / decoder, ONCE's adapter, AutoGraph's mapping). Weights
 * Xavier-uniform, biases torch.nn.Linear's U(±1/sqrt(fan_in)); weights stored d_in × d_out. `zeroLast`: the last
 * layer's weights and bias start at 0, so the MLP outputs exactly 0 until training moves them (a residual adapter
 * that starts as the identity; the first step's gradient reaches the last layer, the next ones every layer).
 */
export interface Mlp {
  readonly params: readonly Param[];
  readonly dims: readonly number[];
  forward(t: Tape, x: Node): Node;
}

export function createMlp(name: string, dims: readonly number[], rng: Rng, act: 'relu' | 'leaky-relu' | 'tanh' = 'relu', zeroLast = false): Mlp {
  if (dims.length < 2) throw new RangeError(`mlp ${name}: needs at least an input and an output width`);
  const layers: { w: Param; b: Param }[] = [];
  for (let l = 0; l + 1 < dims.length; l++) {
    const w = createParam(`${name}.w${l}`, dims[l], dims[l + 1]), b = createParam(`${name}.b${l}`, 1, dims[l + 1]);
    if (!(zeroLast && l + 2 === dims.length)) {
      xavierUniform(w.value, rng.derive(`w${l}`));
      uniformInit(b.value, rng.derive(`b${l}`), -1 / Math.sqrt(dims[l]), 1 / Math.sqrt(dims[l]));
    }
    layers.push({ w, b });
  }
  const activate = (t: Tape, x: Node): Node => (act === 'relu' ? F.relu(t, x) : act === 'tanh' ? F.tanh(t, x) : F.leakyRelu(t, x));
  return {
    params: layers.flatMap((l) => [l.w, l.b]),
    dims,
    forward(t, x) {
      let h = x;
      layers.forEach(({ w, b }, l) => {
        h = F.addRowVector(t, F.matmul(t, h, t.param(w)), t.param(b));
        if (l + 1 < layers.length) h = activate(t, h);
      });
      return h;
    },
  };
}
