import { z } from 'zod';
import * as F from '../../tensor/fn.js';
import { xavierUniform } from '../../tensor/init.js';
import { type SparseOperand, sparseOperand } from '../../tensor/sparse.js';
import { createParam, type Node, type Param, type Tape } from '../../tensor/tape.js';
import { sharedF32, toSharedI32 } from '../../tensor/tensor.js';
import type { Embeddings, LossTerms, Plugin } from '../types.js';
import { type PluginContext, requireText } from './context.js';
import { identityInit } from './identity-init.js';
import { createMlp, type Mlp } from './mlp.js';
import { l2Penalty } from './projector.js';
import { RqConfig, type RqCodes, residualCodes } from './rq.js';

/**
 * AutoGraph (Shan et al., KDD 2025; method.md §C.8), adapted to graph CF as an embedding plug-in:
 *
 * 1. Offline RQ-VAE (rq.ts) on S_U and S_I: 3 levels, user codebooks 300, item codebooks 256 (`utils.py`
 *    defaults); encoder 256 → 128, code dim 32, k-means init, L1 + 0.25 commitment.
 * 2. The codes become latent-factor nodes C_U (3 × 301) and C_I (3 × 257) with learnable embeddings (the
 *    extra code per level is shared by the entities without text); each user links to its 3 codes, each item
 *    to its 3.
 * 3. Metapaths with degree-normalised mean aggregation (instead of 2-head GATConv):
 *    g_c = mean of e_u over the users of code c; h^sem_u = mean_{c∈codes(u)} [g_c ; emb_c] W_1 (user → code →
 *    user); h^ui_u = mean_{i∈N(u)} h^sem_i (item → user); the same for items with h^iu_i = mean_{u∈N(i)} h^sem_u.
 * 4. e'_u = e_u + weight · MLP_u([h^sem_u ; h^ui_u]), e'_i = e_i + weight · MLP_i([h^sem_i ; h^iu_i])
 *    (MLP 2d → d → d, ReLU); the base's BPR is on e'. λ_reg Σ‖θ‖² on the plug-in's parameters.
 *
 * Departures: g_c averages the base's final embeddings e_u, not E⁽⁰⁾, because scoring only sees the final
 * embeddings of every base (MF has no layers); mean aggregation instead of GAT; no dropout in the mapping;
 * the vectors are added to a CF model's embeddings instead of being concatenated into a two-tower model
 * trained with sampled softmax. On a base without ID embeddings (PolyCF) g_c is dropped (h^sem from emb_c
 * alone, width `dim`), and the base adds e'_u·e'_i to its filter scores.
 */
export const AutographConfig = z.strictObject({
  /** Scale of the graph vectors; 0 leaves the base untouched (bit-identical training). */
  weight: z.number().nonnegative().default(1),
  /** Width on a base without ID embeddings (PolyCF); otherwise the base's d. */
  dim: z.int().positive().default(32),
  userCodebook: z.int().positive().default(300),
  itemCodebook: z.int().positive().default(256),
  /**
   * true: the plug-in's contribution starts at exactly 0 (the mapping MLP's last layer; on PolyCF a zero d × d gate on the user vectors, identity-init.ts), so training starts from the bare base and
   * moves away only as far as its loss rewards [DESIGN]. With random fusion weights the first scores are the
   * base's plus noise, which a base that peaks at its first evaluation (PolyCF, WeightedGCL) never recovers
   * from: PolyCF + UIST scored Yelp test R@20 .0313 after one epoch against the bare .1262.
   */
  identityInit: z.boolean().default(true),
  regWeight: z.number().nonnegative().default(1e-7),
  rq: RqConfig.prefault({ hidden: [256, 128], codeDim: 32 }),
});
export type AutographConfig = z.infer<typeof AutographConfig>;

interface Side {
  /** entity × code, 1/L per code of the entity. */
  readonly member: SparseOperand;
  /** code × entity, the mean over the code's entities. */
  readonly codeMean: SparseOperand;
  readonly emb: Param;
  readonly w1: Param;
  readonly mlp: Mlp;
}

export function createAutograph(cfg: AutographConfig, ctx: PluginContext): Plugin {
  const pair = requireText(ctx, 'autograph', 'semantic');
  const hasBase = ctx.dim > 0, d = hasBase ? ctx.dim : cfg.dim, init = identityInit(cfg.identityInit, hasBase, d);
  const side = (name: string, codes: RqCodes): Side => {
    const nCodes = codes.levels * (codes.codebookSize + 1);
    const emb = createParam(`${name}-codes`, nCodes, d), w1 = createParam(`${name}-w1`, hasBase ? 2 * d : d, d);
    xavierUniform(emb.value, ctx.rng.derive(`${name}-codes`));
    xavierUniform(w1.value, ctx.rng.derive(`${name}-w1`));
    const { member, codeMean } = codeGraphs(codes);
    return { member, codeMean, emb, w1, mlp: createMlp(`${name}-mlp`, [2 * d, d, d], ctx.rng.derive(`${name}-mlp`), 'relu', init.zeroLast) };
  };
  const users = side('user', residualCodes(pair.users, pair.userMask, cfg.userCodebook, cfg.rq, ctx.rng.derive('rq/users'), ctx.kernels));
  const items = side('item', residualCodes(pair.items, pair.itemMask, cfg.itemCodebook, cfg.rq, ctx.rng.derive('rq/items'), ctx.kernels));
  const { userMean, itemMean } = neighbourMeans(ctx.train);
  const params = [users.emb, users.w1, ...users.mlp.params, items.emb, items.w1, ...items.mlp.params, ...init.params];

  /** h^sem of every entity of one side: user → code → user. */
  const semantic = (t: Tape, s: Side, e: Node | undefined): Node => {
    const emb = t.param(s.emb);
    const z = e === undefined ? emb : F.concatCols(t, [F.spmm(t, s.codeMean, e), emb]);
    return F.spmm(t, s.member, F.matmul(t, z, t.param(s.w1)));
  };

  return {
    name: 'autograph',
    params,
    loss(t): LossTerms {
      return cfg.regWeight > 0 ? { reg: l2Penalty(t, params, cfg.regWeight) } : {};
    },
    transformEmbeddings(t, e): Embeddings {
      if (cfg.weight === 0) return e;
      const su = semantic(t, users, e.users), si = semantic(t, items, e.items);
      let gu = users.mlp.forward(t, F.concatCols(t, [su, F.spmm(t, userMean, si)]));
      let gi = items.mlp.forward(t, F.concatCols(t, [si, F.spmm(t, itemMean, su)]));
      if (cfg.weight !== 1) [gu, gi] = [F.scale(t, gu, cfg.weight), F.scale(t, gi, cfg.weight)];
      if (e.users === undefined || e.items === undefined) return { ...e, users: init.users(t, gu), items: gi };
      return { ...e, users: F.add(t, e.users, gu), items: F.add(t, e.items, gi) };
    },
  };
}

/** Entity → code membership (1/L each) and code → entity means, as sparse operands. */
function codeGraphs(codes: RqCodes) {
  const L = codes.levels, n = codes.codes.length / L, width = codes.codebookSize + 1, nCodes = L * width;
  const col = (i: number, l: number): number => l * width + codes.codes[i * L + l];
  const indptr = Int32Array.from({ length: n + 1 }, (_, i) => i * L), indices = new Int32Array(n * L);
  for (let i = 0; i < n; i++) for (let l = 0; l < L; l++) indices[i * L + l] = col(i, l);
  const values = sharedF32(n * L).fill(1 / L);
  const member = sparseOperand({ rows: n, cols: nCodes, indptr: toSharedI32(indptr), indices: toSharedI32(indices), values });
  const t = member.t, meanValues = sharedF32(t.values.length);
  for (let c = 0; c < nCodes; c++) {
    const deg = t.indptr[c + 1] - t.indptr[c];
    for (let k = t.indptr[c]; k < t.indptr[c + 1]; k++) meanValues[k] = 1 / deg;
  }
  const codeMean = sparseOperand({ rows: nCodes, cols: n, indptr: t.indptr, indices: t.indices, values: meanValues });
  return { member, codeMean };
}

/** Row-normalised R (user → mean of its items) and Rᵀ (item → mean of its users). */
function neighbourMeans(g: PluginContext['train']) {
  const nnz = g.indptr[g.rows];
  const values = sharedF32(nnz);
  for (let r = 0; r < g.rows; r++) for (let k = g.indptr[r]; k < g.indptr[r + 1]; k++) values[k] = 1 / (g.indptr[r + 1] - g.indptr[r]);
  const r = { rows: g.rows, cols: g.cols, indptr: toSharedI32(g.indptr.slice(0, g.rows + 1)), indices: toSharedI32(g.indices.slice(0, nnz)), values };
  const userMean = sparseOperand(r), rt = userMean.t, tValues = sharedF32(nnz);
  for (let c = 0; c < rt.rows; c++) for (let k = rt.indptr[c]; k < rt.indptr[c + 1]; k++) tValues[k] = 1 / (rt.indptr[c + 1] - rt.indptr[c]);
  return { userMean, itemMean: sparseOperand({ rows: rt.rows, cols: rt.cols, indptr: rt.indptr, indices: rt.indices, values: tValues }) };
}
