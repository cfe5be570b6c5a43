import { z } from 'zod';
import * as F from '../../tensor/fn.js';
import { xavierUniform } from '../../tensor/init.js';
import { edgePattern } from '../../tensor/ops/edge-pattern.js';
import { createParam, type Node, type Tape } from '../../tensor/tape.js';
import { type Mat, matrix, toSharedI32 } from '../../tensor/tensor.js';
import type { Embeddings, LossTerms, Plugin } from '../types.js';
import { type PluginContext, requireText } from './context.js';
import { identityInit } from './identity-init.js';
import { createMlp } from './mlp.js';
import { l2Penalty } from './projector.js';

/**
 * ONCE (Liu, Chen, Sakai, Wu; WSDM 2024; method.md §C.7), adapted to graph CF as an embedding plug-in:
 *
 * - GENRE (LLM-written item summaries and user profiles) = the shared text matrices S_U / S_I (§C.9).
 * - DIRE (fine-tuned LLM content encoder) ≈ a trainable 2-layer adapter g: d_t → h → d (LeakyReLU) over the
 *   frozen text embeddings: item content c_i = g(S_I[i]).
 * - User content u^c = Σ_{j∈N(u)} softmax_j(qᵀ tanh(W c_j)) c_j + g(S_U[u]): additive-attention pooling over
 *   the user's training items (W ∈ R^{d×a}, q ∈ R^a), plus the user's own profile.
 * - e'_u = e_u + weight·u^c, e'_i = e_i + weight·c_i; the base's BPR is on e'. λ_reg Σ‖θ‖² on the adapter and
 *   attention parameters.
 *
 * Entities without text get no g(·) term (and items without text are not pooled). On a base without ID
 * embeddings (PolyCF) e' = (u^c, c) of width `dim`, and the base adds u^c·c_i to its filter scores.
 *
 * Departures: no LLM fine-tuning (a frozen encoder plus adapter), and the content vectors are fused into a
 * CF model's embeddings instead of a news recommender's (NAML / NRMS) user encoder.
 */
export const OnceConfig = z.strictObject({
  /** Scale of the content vectors; 0 leaves the base untouched (bit-identical training). */
  weight: z.number().nonnegative().default(1),
  /** Width on a base without ID embeddings (PolyCF); otherwise the base's d. */
  dim: z.int().positive().default(32),
  /** Adapter hidden width; 0 = ⌊(d_t + d)/2⌋ as the RLMRec projector. */
  hidden: z.int().nonnegative().default(0),
  /** Width a of the additive attention. */
  attentionDim: z.int().positive().default(32),
  /**
   * true: the plug-in's contribution starts at exactly 0 (the adapter's last layer; on PolyCF a zero d × d gate on the user vectors, identity-init.ts), so training starts from the bare base and
   * moves away only as far as its loss rewards [DESIGN]. With random fusion weights the first scores are the
   * base's plus noise, which a base that peaks at its first evaluation (PolyCF, WeightedGCL) never recovers
   * from: PolyCF + UIST scored Yelp test R@20 .0313 after one epoch against the bare .1262.
   */
  identityInit: z.boolean().default(true),
  regWeight: z.number().nonnegative().default(1e-7),
});
export type OnceConfig = z.infer<typeof OnceConfig>;

export function createOnce(cfg: OnceConfig, ctx: PluginContext): Plugin {
  const pair = requireText(ctx, 'once', 'semantic');
  const d = ctx.dim > 0 ? ctx.dim : cfg.dim, dt = pair.users.cols;
  const init = identityInit(cfg.identityInit, ctx.dim > 0, d);
  const adapter = createMlp('adapter', [dt, cfg.hidden > 0 ? cfg.hidden : Math.floor((dt + d) / 2), d], ctx.rng.derive('adapter'), 'leaky-relu', init.zeroLast);
  const attW = createParam('att.w', d, cfg.attentionDim), attQ = createParam('att.q', cfg.attentionDim, 1);
  xavierUniform(attW.value, ctx.rng.derive('att.w'));
  xavierUniform(attQ.value, ctx.rng.derive('att.q'));
  const users = textRowsOf(pair.users, pair.userMask), items = textRowsOf(pair.items, pair.itemMask);
  // The user × item training graph restricted to items with text: the attention pools over its rows.
  const pool = edgePattern(restrictColumns(ctx.train, pair.itemMask));
  const edgeItems = toSharedI32(pool.indices);
  const params = [...adapter.params, attW, attQ, ...init.params];

  const content = (t: Tape, side: { ids: Int32Array; rows: Mat }, n: number): Node =>
    F.scatterAddRows(t, adapter.forward(t, t.constant(side.rows)), side.ids, n);

  return {
    name: 'once',
    params,
    loss(t): LossTerms {
      return cfg.regWeight > 0 ? { reg: l2Penalty(t, params, cfg.regWeight) } : {};
    },
    transformEmbeddings(t, e): Embeddings {
      if (cfg.weight === 0) return e;
      const c = content(t, items, ctx.numItems);
      const logits = F.matmul(t, F.tanh(t, F.matmul(t, c, t.param(attW))), t.param(attQ));
      // softmax within each user's row; the shift by the global max is a constant (no effect on the gradient).
      const v = t.value(logits).data;
      let max = -Infinity;
      for (let i = 0; i < v.length; i++) if (v[i] > max) max = v[i];
      const w = F.gatherRows(t, F.exp(t, F.addConst(t, logits, -max)), edgeItems);
      let uc = F.add(t, F.rowNormSpmm(t, w, c, pool), content(t, users, ctx.numUsers));
      let ic = c;
      if (cfg.weight !== 1) [uc, ic] = [F.scale(t, uc, cfg.weight), F.scale(t, c, cfg.weight)];
      if (e.users === undefined || e.items === undefined) return { ...e, users: init.users(t, uc), items: ic };
      return { ...e, users: F.add(t, e.users, uc), items: F.add(t, e.items, ic) };
    },
  };
}

/** Ids of the rows with text and those rows as one constant matrix. */
export function textRowsOf(m: Mat, mask: Uint8Array): { ids: Int32Array; rows: Mat } {
  const ids = toSharedI32(Int32Array.from({ length: m.rows }, (_, i) => i).filter((i) => mask[i] === 1));
  const rows = matrix(ids.length, m.cols);
  for (let k = 0; k < ids.length; k++) rows.data.set(m.data.subarray(ids[k] * m.cols, (ids[k] + 1) * m.cols), k * m.cols);
  return { ids, rows };
}

/** The CSR pattern keeping only the columns whose mask entry is 1. */
function restrictColumns(g: PluginContext['train'], keep: Uint8Array) {
  const indptr = new Int32Array(g.rows + 1), idx: number[] = [];
  for (let r = 0; r < g.rows; r++) {
    for (let k = g.indptr[r]; k < g.indptr[r + 1]; k++) if (keep[g.indices[k]] === 1) idx.push(g.indices[k]);
    indptr[r + 1] = idx.length;
  }
  return { rows: g.rows, cols: g.cols, indptr, indices: Int32Array.from(idx) };
}
