import { z } from 'zod';
import * as F from '../../tensor/fn.js';
import { uniformInit } from '../../tensor/init.js';
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
 *    without text); prefix embeddings u⁽ˡ⁾ = Σ_{k≤l} T^u_k[c_u,k], i⁽ᵐ⁾ likewise. Initialised U(±sqrt(6/(n + d)))
 *    with n the side's entity count, the scale of the base's Xavier entity tables they join [DESIGN]: Xavier
 *    over the 257-row table itself is ~7× larger, and WeightedGCL + UIST then scored Amazon-book test R@20 .0060
 *    after one epoch (bare .1035; .0685 at this scale).
 * 3. HMI: s_ui = Σ_{l,m} w_lm u⁽ˡ⁾·i⁽ᵐ⁾ with 9 learnable weights initialised to 0 (`identityInit`; else 1/9).
 * 4. ŷ = base score + weight · s_ui, trained with the base's own loss on ŷ plus λ_reg Σ‖T‖².
 *
 * The HMI sum is one dot product of concatenations, so it is an embedding transform:
 * e'_u = [e_u ; weight·u⁽¹⁾ ; weight·u⁽²⁾ ; weight·u⁽³⁾], e'_i = [e_i ; Σ_m w_1m i⁽ᵐ⁾ ; Σ_m w_2m i⁽ᵐ⁾ ; Σ_m w_3m i⁽ᵐ⁾],
 * with the item blocks mixed per level table before the gather (mixedItemBlocks). On a base without ID embeddings (PolyCF)
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
  /**
   * true: the plug-in's contribution starts at exactly 0 (the HMI weights; 1/9 each when false), so training starts from the bare base and
   * moves away only as far as its loss rewards [DESIGN]. With random fusion weights the first scores are the
   * base's plus noise, which a base that peaks at its first evaluation (PolyCF, WeightedGCL) never recovers
   * from: PolyCF + UIST scored Yelp test R@20 .0313 after one epoch against the bare .1262.
   */
  identityInit: z.boolean().default(true),
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
  const table = (side: string, l: number): Param => {
    const p = createParam(`${side}-tokens${l}`, K + 1, d), n = side === 'user' ? ctx.numUsers : ctx.numItems;
    uniformInit(p.value, ctx.rng.derive(`${side}-tokens${l}`), -Math.sqrt(6 / (n + d)), Math.sqrt(6 / (n + d)));
    return p;
  };
  const uTok = Array.from({ length: L }, (_, l) => table('user', l)), iTok = Array.from({ length: L }, (_, l) => table('item', l));
  const hmi = createParam('hmi', L, L);
  hmi.value.data.fill(cfg.identityInit ? 0 : 1 / (L * L));
  const parts = mixParts(L, d);

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
      const i = mixedItemBlocks(t, iTok, iIdx, t.param(hmi), parts);
      const us = cfg.weight === 1 ? u : F.scale(t, u, cfg.weight);
      if (e.users === undefined || e.items === undefined) return { ...e, users: us, items: i };
      return { ...e, users: F.concatCols(t, [e.users, us]), items: F.concatCols(t, [e.items, i]) };
    },
  };
}

/**
 * The item blocks [Σ_m w_1m i⁽ᵐ⁾ ; … ; Σ_m w_Lm i⁽ᵐ⁾] without forming them per item and level: since
 * i⁽ᵐ⁾ = Σ_{k≤m} T_k[c_k], block l = Σ_k a_lk T_k[c_k] with A = W S (S[m, k] = [m ≥ k]). Each level's table
 * is mixed once, M_k = T_k (1_d v_kᵀ ⊙ mask) with v_k[(l, q)] = a_lk (a (K+1) × Ld product), then gathered.
 */
function mixedItemBlocks(t: Tape, tok: Param[], idx: Int32Array[], w: Node, p: ReturnType<typeof mixParts>): Node {
  const a = F.matmul(t, w, t.constant(p.suffix));
  let out: Node | undefined;
  tok.forEach((table, k) => {
    const v = F.matmul(t, t.constant(p.spread), F.matmul(t, a, t.constant(p.unit[k])));
    const kk = F.mul(t, t.constant(p.mask), F.matmul(t, t.constant(p.ones), v, false, true));
    const g = F.gatherRows(t, F.matmul(t, t.param(table), kk), idx[k]);
    out = out === undefined ? g : F.add(t, out, g);
  });
  return out!;
}

/** Constants of mixedItemBlocks: S, unit columns e_k, R (Ld × L, R[(l, q), l'] = δ_ll'), 1_d, mask[q, (l, q')] = δ_qq'. */
function mixParts(L: number, d: number) {
  const suffix = matrix(L, L), spread = matrix(L * d, L), ones = matrix(d, 1), mask = matrix(d, L * d);
  for (let m = 0; m < L; m++) for (let k = 0; k <= m; k++) suffix.data[m * L + k] = 1;
  for (let l = 0; l < L; l++) for (let q = 0; q < d; q++) spread.data[(l * d + q) * L + l] = 1;
  ones.data.fill(1);
  for (let q = 0; q < d; q++) for (let l = 0; l < L; l++) mask.data[q * L * d + l * d + q] = 1;
  const unit = Array.from({ length: L }, (_, k) => {
    const e = matrix(L, 1);
    e.data[k] = 1;
    return e;
  });
  return { suffix, spread, ones, mask, unit };
}
