import { z } from 'zod';
import * as F from '../../tensor/fn.js';
import { xavierUniform } from '../../tensor/init.js';
import { OPS } from '../../tensor/ops/index.js';
import { createParam, createTape, type Node, type Tape } from '../../tensor/tape.js';
import type { BaseModel, Batch, Embeddings, LossTerms, ModelContext, StepContext } from '../types.js';
import { createDotScorer } from './dot-scorer.js';
import { combineLayers, createEdgeDropper, createGraph, detachRows, propagate, splitUsersItems } from './graph.js';

/**
 * LightGCN (He et al., SIGIR 2020), method.md §C.1: E^(l+1) = Â E^(l) over the normalised bipartite train
 * graph, score ŷ_ui = e_u · e_i, BPR loss. Two variants differ only in defaults:
 *
 * - `lightgcn` = RLMRec/SSLRec `models/general_cf/lightgcn.py` + `lightgcn.yml`, the variant behind the anchor
 *   numbers (R@20 .1411 Amazon-book, .1157 Yelp): d = 32, 3 layers, e = SUM of layers 0..L, edge dropout
 *   keep 0.8 drawn once per forward over Â's stored entries without rescaling, L2 1e-6 on Σ‖θ‖² over ALL
 *   parameters (every step, not just the batch rows), Xavier-uniform user and item tables.
 * - `lightgcn-paper` = the paper: d = 64, e = MEAN of layers 0..L, no dropout, L2 1e-4 on the batch's ego
 *   embeddings as in the authors' PyTorch code: λ · ½(‖u⁰‖² + ‖i⁰‖² + ‖j⁰‖²) / |B|. (The paper also used
 *   batch 2048: pass --set train.batchSize=2048.)
 *
 * Users and items live in one stacked (U+I) × d parameter `embedding` (users first) because propagation
 * multiplies the stacked table by Â; the two blocks are initialised separately with their own fans, as the
 * two nn.Parameters of the reference code are.
 */
function lightGcnSchema(d: { dim: number; combine: 'sum' | 'mean'; keepRate: number; regWeight: number; regScope: 'all-params' | 'batch-ego' }) {
  return z.strictObject({
    dim: z.int().positive().default(d.dim),
    layers: z.int().nonnegative().default(3),
    /** How layer outputs E^(0..L) combine into the final embedding. */
    combine: z.enum(['sum', 'mean']).default(d.combine),
    /** Edge-dropout keep probability per forward (1 = off). */
    keepRate: z.number().gt(0).max(1).default(d.keepRate),
    regWeight: z.number().nonnegative().default(d.regWeight),
    /** `all-params`: λ Σ‖θ‖² (RLMRec); `batch-ego`: λ ½ Σ‖batch ego rows‖² / |B| (paper code). */
    regScope: z.enum(['all-params', 'batch-ego']).default(d.regScope),
  });
}

export const LightGcnConfig = lightGcnSchema({ dim: 32, combine: 'sum', keepRate: 0.8, regWeight: 1e-6, regScope: 'all-params' });
export const LightGcnPaperConfig = lightGcnSchema({ dim: 64, combine: 'mean', keepRate: 1, regWeight: 1e-4, regScope: 'batch-ego' });
export type LightGcnConfig = z.infer<typeof LightGcnConfig>;

export function createLightGcn(cfg: LightGcnConfig, ctx: ModelContext, name = 'lightgcn'): BaseModel {
  const graph = createGraph(ctx.train);
  const { numUsers: nu, numItems: ni } = graph;
  const d = cfg.dim;
  const emb = createParam('embedding', nu + ni, d);
  xavierUniform({ rows: nu, cols: d, data: emb.value.data.subarray(0, nu * d) }, ctx.rng.derive('user-emb'));
  xavierUniform({ rows: ni, cols: d, data: emb.value.data.subarray(nu * d) }, ctx.rng.derive('item-emb'));
  const drop = createEdgeDropper(graph.full.a, cfg.keepRate, ctx.kernels);

  const forward = (t: Tape, adj: ReturnType<typeof drop>, ego?: StepContext['transformEgo']): { layers: Node[]; final: Node } => {
    const e0 = t.param(emb);
    const layers = propagate(t, adj, ego ? ego(t, e0) : e0, cfg.layers);
    return { layers, final: combineLayers(t, layers, cfg.combine) };
  };

  return {
    name,
    numUsers: nu,
    numItems: ni,
    params: [emb],
    embed(t: Tape, step: StepContext): Embeddings {
      // Σ‖θ‖² for the loss depends only on θ, so a worker sums it while this thread draws the dropout mask.
      if (cfg.regWeight !== 0 && cfg.regScope === 'all-params') ctx.kernels.prefetchSumSquares(emb.value.data, emb.value.data.length);
      const { layers, final } = forward(t, drop(step.rng), step.transformEgo);
      return { numUsers: nu, numItems: ni, ...splitUsersItems(t, graph, final), layers };
    },
    loss(t: Tape, e: Embeddings, b: Batch): LossTerms {
      // One fused op, bit-identical to bprLoss over three gathered copies of the rows.
      const bpr = t.run(OPS.bprRows, [e.users!, e.items!], { users: b.users, pos: b.pos, neg: b.neg });
      if (cfg.regWeight === 0) return { bpr };
      if (cfg.regScope === 'all-params') return { bpr, reg: F.scale(t, F.sumSquares(t, t.param(emb)), cfg.regWeight) };
      return { bpr, reg: batchEgoReg(t, e.layers[0], nu, b, cfg.regWeight) };
    },
    freeze() {
      const t = createTape(ctx.kernels);
      const { final } = forward(t, graph.full);
      return createDotScorer(detachRows(t, final, 0, nu), detachRows(t, final, nu, ni), nu, ni, d, ctx.kernels);
    },
  };
}

/** λ · ½(‖u⁰‖² + ‖i⁰‖² + ‖j⁰‖²) / |B| over the batch rows of the stacked ego table (items offset by U). */
export function batchEgoReg(t: Tape, ego: Node, numUsers: number, b: Batch, weight: number): Node {
  const pos = new Int32Array(b.pos.length), neg = new Int32Array(b.neg.length);
  for (let k = 0; k < pos.length; k++) {
    pos[k] = b.pos[k] + numUsers;
    neg[k] = b.neg[k] + numUsers;
  }
  const s = F.add(t, F.add(t, F.sumSquares(t, F.gatherRows(t, ego, b.users)), F.sumSquares(t, F.gatherRows(t, ego, pos))),
    F.sumSquares(t, F.gatherRows(t, ego, neg)));
  return F.scale(t, s, (0.5 * weight) / Math.max(1, b.users.length));
}
