import { z } from 'zod';
import * as F from '../../tensor/fn.js';
import { uniformInit, xavierUniform } from '../../tensor/init.js';
import { frobeniusNorm } from '../../tensor/ops/frobenius-norm.js';
import { createParam, createTape, type Node, type Param, type Tape } from '../../tensor/tape.js';
import { type Mat, matrix } from '../../tensor/tensor.js';
import type { Rng } from '../../util/rng.js';
import type { BaseModel, Batch, Embeddings, LossTerms, ModelContext, StepContext } from '../types.js';
import { createDotScorer } from './dot-scorer.js';
import { combineLayers, createGraph, detachRows, propagate, splitUsersItems } from './graph.js';
import { createGrowingSizer, paddedUnique } from './weightedgcl-padding.js';

/**
 * WeightedGCL (Chen, Xu, Wei, Peng, SIGIR 2025), method.md §C.2, after the authors' `weightedgcl.py` and
 * `WeightedGCL.yaml` (Jinfeng-Xu/WeightedGCL):
 *
 * - backbone: RecBole-GNN LightGCN over Â, final e = MEAN of layer outputs 1..L (the ego layer is not in
 *   it), d = 64, L = 2, Xavier-uniform tables; BPR + reg_weight · EmbLoss, where RecBole's EmbLoss without
 *   `require_pow` is (‖U_B⁰‖_F + ‖I⁺_B⁰‖_F + ‖I⁻_B⁰‖_F) / |B| — norms, not squared norms — of the batch's ego rows.
 * - two perturbed views: noise only on the last layer's output, E^(L) + sign(E^(L)) ⊙ normalize_row(U(0,1)) · eps.
 *   Since the views are layer means, a view is the clean final embedding plus that noise / L, which is how it
 *   is computed here (one propagation instead of three; values and gradients are the same, as sign() and the
 *   noise carry no gradient). Noise is drawn only for the rows the loss uses, from the step stream.
 * - SENet weighting shared by both views, users and items: s_n = mean_k V_nk, w_n = σ(Lin(d/4→d)(Lin(d/16→d/4)
 *   (Lin(1→d/16)(s_n)))) with no activation between the linear layers (PyTorch nn.Linear default init), Ṽ = w ⊙ V.
 * - contrastive loss over the batch's UNIQUE users and UNIQUE positive items separately, InfoNCE with cosine
 *   similarity, τ = 0.2, SUMMED over nodes, weighted by λ = 1e-3.
 *
 * Training follows method.md §B.0 (Adam 1e-3, batch 4096, valid Recall@20) rather than the paper's lr 1e-4
 * and NDCG@10, as §C.2 prescribes for our data.
 */
export const WeightedGclConfig = z.strictObject({
  dim: z.int().positive().default(64),
  layers: z.int().positive().default(2),
  regWeight: z.number().nonnegative().default(1e-4),
  /** λ (`lambda` in WeightedGCL.yaml) on CL_user + CL_item. */
  clWeight: z.number().nonnegative().default(1e-3),
  eps: z.number().nonnegative().default(0.1),
  temperature: z.number().positive().default(0.2),
});
export type WeightedGclConfig = z.infer<typeof WeightedGclConfig>;

interface Linear {
  readonly w: Param;
  readonly b: Param;
}

/** nn.Linear(in, out) with PyTorch's default init, U(±1/sqrt(in)) for weight and bias; w stored in × out. */
function linear(name: string, inDim: number, outDim: number, rng: Rng): Linear {
  const w = createParam(`${name}.weight`, inDim, outDim), b = createParam(`${name}.bias`, 1, outDim);
  const bound = 1 / Math.sqrt(inDim);
  uniformInit(w.value, rng.derive(`${name}.weight`), -bound, bound);
  uniformInit(b.value, rng.derive(`${name}.bias`), -bound, bound);
  return { w, b };
}

export function createWeightedGcl(cfg: WeightedGclConfig, ctx: ModelContext): BaseModel {
  const graph = createGraph(ctx.train);
  const { numUsers: nu, numItems: ni } = graph;
  const d = cfg.dim;
  const emb = createParam('embedding', nu + ni, d);
  xavierUniform({ rows: nu, cols: d, data: emb.value.data.subarray(0, nu * d) }, ctx.rng.derive('user-emb'));
  xavierUniform({ rows: ni, cols: d, data: emb.value.data.subarray(nu * d) }, ctx.rng.derive('item-emb'));
  const h1 = Math.max(1, Math.floor(d / 16)), h2 = Math.max(1, Math.floor(d / 4));
  const senet = [linear('senet.0', 1, h1, ctx.rng), linear('senet.1', h1, h2, ctx.rng), linear('senet.2', h2, d, ctx.rng)];
  const ones = matrix(d, 1);
  ones.data.fill(1 / d);

  const forward = (t: Tape): { layers: Node[]; final: Node } => {
    const layers = propagate(t, graph.full, t.param(emb), cfg.layers);
    return { layers, final: combineLayers(t, layers.slice(1), 'mean') };
  };

  /** SENet: Ṽ = σ(lin3(lin2(lin1(rowmean V)))) ⊙ V. */
  const weighted = (t: Tape, v: Node): Node => {
    let x = F.matmul(t, v, t.constant(ones));
    for (const { w, b } of senet) x = F.addRowVector(t, F.matmul(t, x, t.param(w)), t.param(b));
    return F.mul(t, F.sigmoid(t, x), v);
  };

  const size = createGrowingSizer();
  const noiseBuffers = [0, 1, 2, 3].map(() => matrix(0, d));

  /**
   * eps/L · sign(E^(L)) ⊙ normalize(U(0,1)) for the first `rows` of `ids` (offset into the stacked table),
   * zero on the padding rows, in buffer `which` (one per view and node kind), reused across steps.
   */
  const noise = (which: number, last: Float32Array, ids: Int32Array, rows: number, offset: number, rng: Rng): Mat => {
    if (noiseBuffers[which].rows !== ids.length) noiseBuffers[which] = matrix(ids.length, d);
    const out = noiseBuffers[which], u = new Float64Array(d);
    for (let r = 0; r < rows; r++) {
      let ss = 0;
      for (let k = 0; k < d; k++) ss += (u[k] = rng.next()) ** 2;
      const scale = cfg.eps / Math.max(Math.sqrt(ss), 1e-12) / cfg.layers, base = (ids[r] + offset) * d;
      for (let k = 0; k < d; k++) out.data[r * d + k] = Math.sign(last[base + k]) * u[k] * scale;
    }
    out.data.fill(0, rows * d);
    return out;
  };

  /**
   * CL over the unique ids: two perturbed views (v + noise, v the final rows) through the SENet, InfoNCE
   * over the real rows of the padded set (see weightedgcl-padding.ts).
   */
  const cl = (t: Tape, finalPart: Node, lastLayer: Node, batchIds: Int32Array, offset: number, slot: number, rng: Rng): Node => {
    const { ids, rows } = paddedUnique(batchIds, size);
    const last = t.value(lastLayer).data, v = F.gatherRows(t, finalPart, ids);
    const v1 = weighted(t, F.add(t, v, t.constant(noise(2 * slot, last, ids, rows, offset, rng))));
    const v2 = weighted(t, F.add(t, v, t.constant(noise(2 * slot + 1, last, ids, rows, offset, rng))));
    return F.infoNcePrefix(t, v1, v2, v2, rows, cfg.temperature, 1e-24);
  };

  return {
    name: 'weightedgcl',
    numUsers: nu,
    numItems: ni,
    params: [emb, ...senet.flatMap((l) => [l.w, l.b])],
    embed(t: Tape): Embeddings {
      const { layers, final } = forward(t);
      return { numUsers: nu, numItems: ni, ...splitUsersItems(t, graph, final), layers };
    },
    loss(t: Tape, e: Embeddings, b: Batch, step: StepContext): LossTerms {
      const u = F.gatherRows(t, e.users!, b.users);
      const terms: Record<string, Node> = {
        bpr: F.bprLoss(t, u, F.gatherRows(t, e.items!, b.pos), F.gatherRows(t, e.items!, b.neg)),
      };
      if (cfg.regWeight > 0) terms.reg = egoNormReg(t, e.layers[0], nu, b, cfg.regWeight);
      if (cfg.clWeight > 0) {
        // The views perturb the model's own representation, also under a plug-in's transformEmbeddings.
        const last = e.layers[cfg.layers], own = e.base ?? e;
        const clUser = cl(t, own.users!, last, b.users, 0, 0, step.rng);
        const clItem = cl(t, own.items!, last, b.pos, nu, 1, step.rng);
        terms.cl = F.scale(t, F.add(t, clUser, clItem), cfg.clWeight);
      }
      return terms;
    },
    freeze() {
      const t = createTape(ctx.kernels);
      const { final } = forward(t);
      return createDotScorer(detachRows(t, final, 0, nu), detachRows(t, final, nu, ni), nu, ni, d, ctx.kernels);
    },
  };
}

/** λ (‖u⁰‖_F + ‖i⁰‖_F + ‖j⁰‖_F) / |B| over the batch rows of the stacked ego table (RecBole EmbLoss). */
function egoNormReg(t: Tape, ego: Node, numUsers: number, b: Batch, weight: number): Node {
  const pos = Int32Array.from(b.pos, (i) => i + numUsers), neg = Int32Array.from(b.neg, (i) => i + numUsers);
  const norm = (idx: Int32Array): Node => t.run(frobeniusNorm, [F.gatherRows(t, ego, idx)], undefined);
  return F.scale(t, F.add(t, F.add(t, norm(b.users), norm(pos)), norm(neg)), weight / Math.max(1, b.users.length));
}
