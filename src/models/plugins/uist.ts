import { z } from 'zod';
import * as F from '../../tensor/fn.js';
import { xavierUniform } from '../../tensor/init.js';
import { createParam, type Node, type Param, type Tape } from '../../tensor/tape.js';
import { matrix } from '../../tensor/tensor.js';
import type { Embeddings, LossTerms, Plugin } from '../types.js';
import { type PluginContext, requireText } from './context.js';
import { l2Penalty } from './projector.js';
import { levelCodes, RqConfig, residualCodes } from './rq.js';

/**
 * UIST (Liu et al., WWW'24 companion; method.md §C.6), adapted to top-K CF as a score plug-in:
 *
 * 1. Offline, an RQ-VAE (rq.ts) tokenizes S_U and S_I separately into L = 3 codes per user / item
 *    (codebook 256, encoder d_t → 256 → 128 → 32, k-means init, L1 + 0.25 commitment).
 * 2. Learnable token tables per level T^u_k, T^i_k ∈ R^{(256+1)×d} (the extra row is the token of entities
 *    without text); prefix embeddings u⁽ˡ⁾ = Σ_{k≤l} T^u_k[c_u,k], i⁽ᵐ⁾ likewise.
 * 3. HMI: s_ui = Σ_{l,m} w_lm u⁽ˡ⁾·i⁽ᵐ⁾ with 9 learnable weights initialised to 1/9.
 * 4. ŷ = base score + weight · s_ui, trained with the base's own loss on ŷ plus λ_reg Σ‖T‖².
 *
 * The HMI sum is one dot product of concatenations, so it is an embedding transform:
 * e'_u = [e_u ; weight·u⁽¹⁾ ; weight·u⁽²⁾ ; weight·u⁽³⁾], e'_i = [e_i ; Σ_m w_1m i⁽ᵐ⁾ ; Σ_m w_2m i⁽ᵐ⁾ ; Σ_m w_3m i⁽ᵐ⁾],
 * with the item blocks computed as [i⁽¹⁾ i⁽²⁾ i⁽³⁾] · (Wᵀ ⊗ I_d). On a base without ID embeddings (PolyCF)
 * e' holds only the token blocks (width `dim`), and the base adds their dot product to its filter scores.
 *
 * Departures: UIST's user tokenizer encodes behaviour sequences with an autoencoder and its HMI weighs the
 * outputs of a deep CTR model per granularity pair; here both sides tokenize the same text embeddings as
 * the other text baselines (method.md §C.9) and each granularity pair is a dot product.
 */
export const UistConfig = z.strictObject({
  /** Scale of the UIST score term; 0 leaves the base untouched (bit-identical training). */
  weight: z.number().nonnegative().default(1),
  /** Token width on a base without ID embeddings (PolyCF); otherwise the base's d. */
  dim: z.int().positive().default(32),
  codebookSize: z.int().positive().default(256),
  /** λ_reg on Σ‖T‖² over the token tables. */
  regWeight: z.number().nonnegative().default(1e-6),
  rq: RqConfig.prefault({}),
});
export type UistConfig = z.infer<typeof UistConfig>;

export function createUist(cfg: UistConfig, ctx: PluginContext): Plugin {
  const pair = requireText(ctx, 'uist', 'semantic');
  const d = ctx.dim > 0 ? ctx.dim : cfg.dim, K = cfg.codebookSize, L = cfg.rq.levels;
  const userCodes = residualCodes(pair.users, pair.userMask, K, cfg.rq, ctx.rng.derive('rq/users'), ctx.kernels);
  const itemCodes = residualCodes(pair.items, pair.itemMask, K, cfg.rq, ctx.rng.derive('rq/items'), ctx.kernels);
  const uIdx = Array.from({ length: L }, (_, l) => levelCodes(userCodes, l));
  const iIdx = Array.from({ length: L }, (_, l) => levelCodes(itemCodes, l));
  // Item tokens start at 0, so ŷ starts as the base score; the user side's random start gives them gradient.
  const table = (side: string, l: number): Param => {
    const p = createParam(`${side}-tokens${l}`, K + 1, d);
    if (side === 'user') xavierUniform(p.value, ctx.rng.derive(`${side}-tokens${l}`));
    return p;
  };
  const uTok = Array.from({ length: L }, (_, l) => table('user', l)), iTok = Array.from({ length: L }, (_, l) => table('item', l));
  const hmi = createParam('hmi', L, L);
  hmi.value.data.fill(1 / (L * L));
  const { spread, mask } = kronParts(L, d);

  const prefixes = (t: Tape, tok: Param[], idx: Int32Array[]): Node[] => {
    const out: Node[] = [];
    tok.forEach((p, l) => {
      const g = F.gatherRows(t, t.param(p), idx[l]);
      out.push(l === 0 ? g : F.add(t, out[l - 1], g));
    });
    return out;
  };

  return {
    name: 'uist',
    params: [...uTok, ...iTok, hmi],
    loss(t): LossTerms {
      return cfg.regWeight > 0 ? { reg: l2Penalty(t, [...uTok, ...iTok], cfg.regWeight) } : {};
    },
    transformEmbeddings(t, e): Embeddings {
      if (cfg.weight === 0) return e;
      const u = F.concatCols(t, prefixes(t, uTok, uIdx));
      // Wᵀ ⊗ I_d = mask ⊙ (R Wᵀ Rᵀ), R (Ld × L) spreading each level over its d columns.
      const r = t.constant(spread);
      const kron = F.mul(t, t.constant(mask), F.matmul(t, F.matmul(t, r, t.param(hmi), false, true), r, false, true));
      const i = F.matmul(t, F.concatCols(t, prefixes(t, iTok, iIdx)), kron);
      const us = cfg.weight === 1 ? u : F.scale(t, u, cfg.weight);
      if (e.users === undefined || e.items === undefined) return { ...e, users: us, items: i };
      return { ...e, users: F.concatCols(t, [e.users, us]), items: F.concatCols(t, [e.items, i]) };
    },
  };
}

/** R (Ld × L) with R[(l, q), l'] = δ_ll', and the Ld × Ld mask δ_qq' (same column within a level block). */
function kronParts(L: number, d: number) {
  const spread = matrix(L * d, L), mask = matrix(L * d, L * d);
  for (let l = 0; l < L; l++) for (let q = 0; q < d; q++) spread.data[(l * d + q) * L + l] = 1;
  for (let a = 0; a < L; a++) for (let b = 0; b < L; b++) for (let q = 0; q < d; q++) mask.data[(a * d + q) * L * d + b * d + q] = 1;
  return { spread, mask };
}
