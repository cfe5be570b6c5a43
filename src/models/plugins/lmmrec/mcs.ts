import * as F from '../../../tensor/fn.js';
import type { Node, Tape } from '../../../tensor/tape.js';
import type { Rng } from '../../../util/rng.js';
import type { Batch } from '../../types.js';
import type { TextPair } from '../context.js';
import { matrix } from '../../../tensor/tensor.js';
import { noiseFactors, sampleIds, type Scratch, uniqueIds, withText } from '../rows.js';

/** The node set V of MCS and ITC: distinct users and items, users first. */
export interface NodeSet {
  readonly users: Int32Array;
  readonly items: Int32Array;
}

/**
 * V = the batch's distinct users, positive and negative items that have motivation text, capped at `cap` by a
 * uniform sample without replacement (method.md §B.4.4 [DESIGN]; IRLLRec uses all N nodes).
 */
export function batchNodeSet(b: Batch, pair: TextPair, cap: number, rng: Rng): NodeSet {
  const nu = pair.users.rows, ni = pair.items.rows;
  const users = uniqueIds(withText(b.users, pair.userMask), nu).ids;
  const both = new Int32Array(b.pos.length + b.neg.length);
  both.set(b.pos);
  both.set(b.neg, b.pos.length);
  const items = uniqueIds(withText(both, pair.itemMask), ni).ids;
  if (users.length + items.length <= cap) return { users, items };
  const stacked = new Int32Array(users.length + items.length);
  stacked.set(users);
  for (let i = 0; i < items.length; i++) stacked[users.length + i] = nu + items[i];
  const kept = sampleIds(stacked, cap, rng).slice().sort();
  const split = kept.findIndex((v) => v >= nu);
  if (split < 0) return { users: kept, items: new Int32Array(0) };
  return { users: kept.slice(0, split), items: kept.slice(split).map((v) => v - nu) };
}

/**
 * Motivation Coordination Strategy before its weight (method.md §B.4.4; IRLLRec `kd_int_2_loss` =
 * ssl_con_loss on noised views): x̃ = t ⊙ (1 + ε), ẽ = e ⊙ (1 + ε'), ε, ε' ~ N(0, I), and
 *   (1/|V|) Σ_n −log( exp(cos(x̃_n, ẽ_n)/τ) / Σ_m exp(cos(x̃_n, ẽ_m)/τ) ).
 * ssl_con_loss adds 1e-8 inside the ratio and the log; with τ = 1 every term of the sum is ≥ e⁻², so those
 * change the value by less than float32 resolution and are left out.
 */
export function mcsLoss(t: Tape, text: Node, cf: Node, rng: Rng, temperature: number, scratch: [Scratch, Scratch] = [matrix, matrix]): Node {
  const v = t.value(text);
  const x = F.mul(t, text, t.constant(noiseFactors(v.rows, v.cols, rng, scratch[0])));
  const e = F.mul(t, cf, t.constant(noiseFactors(v.rows, v.cols, rng, scratch[1])));
  return F.scale(t, F.infoNce(t, x, e, e, temperature), 1 / v.rows);
}
