import * as F from '../../tensor/fn.js';
import { createParam, type Node, type Param, type Tape } from '../../tensor/tape.js';

/**
 * How a score plug-in whose vectors come out of an MLP (ONCE, AutoGraph) starts as the identity on its base
 * (`identityInit`). On a base with ID embeddings (e' = e + v) the MLP's last layer starts at 0. On a base
 * without (PolyCF adds v_u·v_i to its filter scores) both factors of that product would then be 0 and so would
 * every gradient, a saddle training never leaves; instead the user vectors pass through a d × d matrix G
 * that starts at 0 (v_u G v_iᵀ: the gradient on G is v_uᵀ v_i, not 0).
 */
export interface IdentityInit {
  /** Start the MLP's last layer at 0. */
  readonly zeroLast: boolean;
  /** G when the plug-in has one. */
  readonly params: readonly Param[];
  /** The user vectors a base without ID embeddings receives. */
  users(t: Tape, v: Node): Node;
}

export function identityInit(enabled: boolean, hasBaseEmbeddings: boolean, d: number): IdentityInit {
  if (!enabled || hasBaseEmbeddings) return { zeroLast: enabled, params: [], users: (_t, v) => v };
  const g = createParam('gate', d, d);
  return { zeroLast: false, params: [g], users: (t, v) => F.matmul(t, v, t.param(g)) };
}
