import { z } from 'zod';
import * as F from '../../tensor/fn.js';
import { createParam, type Node, type Tape } from '../../tensor/tape.js';
import { matrix, sharedF32 } from '../../tensor/tensor.js';
import { createTopKWork, topKInto } from '../../tensor/topk.js';
import { createRng, type Rng } from '../../util/rng.js';
import { sumScorer } from '../freeze.js';
import type { BaseModel, Batch, Embeddings, LossTerms, ModelContext, Scorer, StepContext } from '../types.js';
import { createDotScorer } from './dot-scorer.js';
import { createPolyBranch } from './polycf-branch.js';
import { type BasisWork, createBasisWork, pairFeatures, scoreSignals } from './polycf-basis.js';
import { densePairFeatures, denseSecondOrder } from './polycf-dense.js';
import { buildGramFilters, buildLowPass, type GramFilter, type LowPass, lowPassCoords } from './polycf-filter.js';

/**
 * PolyCF (Qin, Ju, Luo, Gu, Xiao, Zhang; arXiv 2401.12590), method.md §C.3. There is no public code; what the
 * abstract states is kept, the rest is our reconstruction, chosen as follows.
 *
 * Stated: no node embeddings, each user's interaction signal r_u is filtered; a series of generalized Gram
 * filters covers several eigenspaces; a learnable polynomial response; a low-pass enhancement; a graph
 * optimisation objective plus a pairwise ranking objective.
 *
 * Reconstructed:
 * - Gram filters P_γ = R̃_γᵀR̃_γ, R̃_γ = D_U^−γ R D_I^−(1−γ), γ ∈ {0.3, 0.5, 0.7} (γ = 0.5 is GF-CF's), applied
 *   as R̃ᵀ(R̃ X) with sparse products or through the sparse P_γ (polycf-basis.ts says which, and why).
 * - Basis: Chebyshev polynomials T_1..T_K (K = 3) of x = 2P_γ/λ_max − I, whose spectrum is [−1, 1] (a
 *   well-conditioned basis; λ_max from a randomized SVD). T_0 = I is left out: it only scores items that are
 *   in the input signal, which the protocol masks at test time and training never asks for.
 *   Init H_γ ≈ P_γ/λ_max (the GF-CF-like start of §C.3): θ_γ,1 = ½/|Γ|, the others 0.
 * - Low-pass enhancement (GF-CF): β · r_u D_I^−½ V Vᵀ D_I^½ with V the top 256 right singular vectors of
 *   R̃_0.5 (tensor/linalg randomized SVD), β initialised to GF-CF's 0.3. The basis is computed from a fixed
 *   stream, so it depends on the train graph only and a checkpoint (θ alone) reproduces the scores.
 * - Score s_ui = Σ_γ Σ_k θ_γ,k [r_u T_k(x_γ)]_i + β [r_u D^−½VVᵀD^½]_i: linear in the ~10 parameters.
 * - Objective, "recovering missing interactions": every step each batch user's training items are split at
 *   random (`holdout`, 20 %) into the filter's input and held-out targets, as a denoising autoencoder is
 *   trained; the held-out items are the BPR positives, scored from the input alone, against the trainer's
 *   uniform negatives (or, with `negatives: top`, items drawn from the current top of the ranking).
 *   L = BPR + μ · mean((s⁺ − 1)² + (s⁻)²)/2 with μ = 0.1: the squared term is the graph (reconstruction)
 *   objective of §C.3 on the sampled entries, and it pins the scale that BPR leaves free. (Scoring positives
 *   from r_u minus the one item, via the filter's diagonal, was tried first: it leaves the positive's own
 *   contribution in every negative's score and steadily pulled θ away from the GF-CF start.)
 * - Batches are groups of users (`usersPerBatch`, with all their triples of the epoch), since the cost is
 *   one filter pass per user, not per triple.
 *
 * Embedding branch (method.md §B.7 [DESIGN], polycf-branch.ts), off by default (`branchDim` 0: the model
 * above, bit for bit). With `branchDim` d > 0 a learnable item table W (n_i × d) gives E⁰_I = W,
 * E⁰_U = D_U⁻¹RW, `branchLayers` LightGCN layers over Â and e = their mean; `embed` returns these as the
 * model's users / items / layers, so embedding-aligning plug-ins (rlmrec-con, rlmrec-gen, lmmrec) run on
 * PolyCF. Score ŷ_ui = s^poly_ui + e_u·e_i (γ = 1, not a knob: score plug-ins transform e, and the frozen
 * scorer adds dot products of the transformed e, which carry no scale). L = BPR on ŷ (the same held-out
 * triples) + μ·reconstruction on s^poly alone + `branchRegWeight`·‖W‖². W is initialised from the init
 * stream derived as 'polycf-branch'. The plug-in registry does not switch the branch on by itself: it
 * changes the base (parameters, scores), so a run says so in its config (`--set model.branchDim=32`).
 */
export const PolyCfConfig = z.strictObject({
  gammas: z.array(z.number().min(0).max(1)).nonempty().default([0.3, 0.5, 0.7]),
  /** K: Chebyshev orders 1..K per Gram filter. */
  order: z.int().positive().max(8).default(3),
  /** Rank of the ideal low-pass term; 0 drops it. */
  lowPassRank: z.int().nonnegative().default(256),
  lowPassInit: z.number().default(0.3),
  /** Fraction of each user's training items held out of the input as targets, per step. */
  holdout: z.number().gt(0).lt(1).default(0.2),
  /** μ of the reconstruction term. */
  recWeight: z.number().nonnegative().default(0.1),
  usersPerBatch: z.int().positive().default(512),
  /** BPR negatives: the trainer's uniform draw, or uniform over the `topNegatives` best-scored non-training items. */
  negatives: z.enum(['uniform', 'top']).default('uniform'),
  topNegatives: z.int().positive().default(100),
  /** Width d of the embedding branch; 0 = off (no ID embeddings). */
  branchDim: z.int().nonnegative().default(0),
  /** LightGCN layers of the embedding branch. */
  branchLayers: z.int().nonnegative().default(3),
  /** λ of λ‖W‖² on the branch's item table (LightGCN's 1e-6). */
  branchRegWeight: z.number().nonnegative().default(1e-6),
});
export type PolyCfConfig = z.infer<typeof PolyCfConfig>;

const rowOf = (train: ModelContext['train'], u: number): Int32Array => train.indices.subarray(train.indptr[u], train.indptr[u + 1]);

/**
 * Memory for the dense T_2 tables (|Γ|·n_i² floats) above which training falls back to full sparse products
 * (the same model, 3–4× slower per step). 1.5 GiB holds Amazon-book (1.04 GB) and Yelp (1.45 GB).
 */
export const DENSE_BASIS_BYTES = 1.5 * 2 ** 30;

export async function createPolyCf(cfg: PolyCfConfig, ctx: ModelContext, opts: { denseBasisBytes?: number } = {}): Promise<BaseModel> {
  const { train, kernels: k } = ctx;
  const nu = train.rows, ni = train.cols, K = cfg.order;
  const basis = createRng(0).derive('polycf-basis');
  const filters = await buildGramFilters(train, cfg.gammas, basis.derive('gram'));
  const lowPass = cfg.lowPassRank > 0 ? await buildLowPass(train, cfg.lowPassRank, basis) : undefined;
  const nf = filters.length * K + (lowPass ? 1 : 0);
  const theta = createParam('theta', nf, 1);
  filters.forEach((_, g) => (theta.value.data[g * K] = 0.5 / filters.length));
  if (lowPass) theta.value.data[nf - 1] = cfg.lowPassInit;

  const branch = cfg.branchDim > 0
    ? createPolyBranch(train, cfg.branchDim, cfg.branchLayers, ctx.rng.derive('polycf-branch'), k)
    : undefined;

  const work = createBasisWork(nu, ni, K);
  const dense = (K === 2 || K === 3) && filters.length * 4 * ni * ni <= (opts.denseBasisBytes ?? DENSE_BASIS_BYTES);
  const t2 = dense ? filters.map((f) => denseSecondOrder(k, f, work)) : undefined;
  return {
    name: 'polycf',
    numUsers: nu,
    numItems: ni,
    params: branch ? [theta, branch.param] : [theta],
    usersPerBatch: cfg.usersPerBatch,
    embed: (t: Tape, step: StepContext): Embeddings => (branch ? branch.embed(t, step) : { numUsers: nu, numItems: ni, layers: [] }),
    loss(t: Tape, e: Embeddings, batch: Batch, step: StepContext): LossTerms {
      const { col, input, b } = holdOut(train, batch, cfg.holdout, step.rng);
      const n = b.users.length;
      const z = lowPass ? new Float32Array(input.length * lowPass.rank) : undefined;
      if (lowPass) lowPassCoords(lowPass, input, z!);
      const neg = cfg.negatives === 'top'
        ? hardNegatives(k, train, b.users, col, input, { filters, lowPass, K }, theta.value.data, cfg.topNegatives, work, step.rng)
        : b.neg;
      // Basis features of the positive pairs (rows 0..n) and the negative pairs (rows n..2n).
      const feat = new Float32Array(2 * n * nf), items = new Int32Array(2 * n), cols = new Int32Array(2 * n);
      items.set(b.pos);
      items.set(neg, n);
      cols.set(col);
      cols.set(col, n);
      if (t2) densePairFeatures(filters, t2, K, input, cols, items, nf, feat, work);
      else pairFeatures(k, filters, K, input, cols, items, nf, feat, work);
      if (lowPass) for (let p = 0; p < 2 * n; p++) feat[p * nf + nf - 1] = lowPassScore(lowPass, z!, cols[p], items[p]);
      const fp = matrix(n, nf), fn = matrix(n, nf);
      fp.data.set(feat.subarray(0, n * nf));
      fn.data.set(feat.subarray(n * nf));
      const th = t.param(theta);
      const polyP = F.matmul(t, t.constant(fp), th), polyN = F.matmul(t, t.constant(fn), th);
      let sp = polyP, sn = polyN;
      if (e.users !== undefined && e.items !== undefined) {
        // The branch's embeddings and / or a plug-in's vectors (Plugin.transformEmbeddings) add a dot-product
        // term; BPR is on the sum.
        const u = F.gatherRows(t, e.users, b.users);
        sp = F.add(t, sp, F.rowDot(t, u, F.gatherRows(t, e.items, b.pos)));
        sn = F.add(t, sn, F.rowDot(t, u, F.gatherRows(t, e.items, neg)));
      }
      const ones = matrix(n, 1), minusOnes = matrix(n, 1);
      ones.data.fill(1);
      minusOnes.data.fill(-1);
      const terms: Record<string, Node> = { bpr: F.bprLoss(t, t.constant(ones), sp, sn) };
      if (branch && cfg.branchRegWeight > 0) terms.reg = F.scale(t, F.sumSquares(t, t.param(branch.param)), cfg.branchRegWeight);
      if (cfg.recWeight === 0) return terms;
      // Without the branch the reconstruction is on the sum with a score plug-in's term (as before the branch
      // existed); with it, on s^poly alone: §B.7's "PolyCF's own objective on s^poly".
      const [rp, rn] = branch ? [polyP, polyN] : [sp, sn];
      const sq = F.add(t, F.sumSquares(t, F.add(t, rp, t.constant(minusOnes))), F.sumSquares(t, rn));
      terms.rec = F.scale(t, sq, cfg.recWeight / (2 * Math.max(1, n)));
      return terms;
    },
    freeze: () => {
      const poly = polyScorer(k, train, { filters, lowPass, K }, Float32Array.from(theta.value.data));
      if (!branch) return poly;
      const e = branch.freeze();
      const dot = createDotScorer(e.users, e.items, nu, ni, e.dim, k);
      return { ...sumScorer(poly, dot), embeddings: { ...e, residual: poly } };
    },
  };
}

/**
 * Split each batch user's training items into input and held-out targets (one draw per item, in row order),
 * and keep the triples whose positive was held out.
 */
export function holdOut(train: ModelContext['train'], batch: Batch, ratio: number, rng: Rng) {
  const index = new Map<number, number>(), users: number[] = [];
  for (const u of batch.users) if (!index.has(u)) index.set(u, users.push(u) - 1);
  const held = users.map(() => new Set<number>());
  const input = users.map((u, b) => {
    const row = rowOf(train, u), keep: number[] = [];
    for (const i of row) if (rng.next() < ratio) held[b].add(i); else keep.push(i);
    return Int32Array.from(keep);
  });
  const picked: number[] = [];
  for (let p = 0; p < batch.users.length; p++) if (held[index.get(batch.users[p])!].has(batch.pos[p])) picked.push(p);
  const b: Batch = {
    users: Int32Array.from(picked, (p) => batch.users[p]),
    pos: Int32Array.from(picked, (p) => batch.pos[p]),
    neg: Int32Array.from(picked, (p) => batch.neg[p]),
  };
  return { users, col: Int32Array.from(b.users, (u) => index.get(u)!), input, b };
}

/** d_i^½ (z_b · V_i): the low-pass score of item i for signal b. */
function lowPassScore(lp: LowPass, z: Float32Array, b: number, i: number): number {
  let s = 0;
  for (let j = 0; j < lp.rank; j++) s += z[b * lp.rank + j] * lp.v[i * lp.rank + j];
  return s * lp.sqrtDeg[i];
}

/** The fixed (θ-independent) pieces of the model. */
interface Basis {
  readonly filters: GramFilter[];
  readonly lowPass: LowPass | undefined;
  readonly K: number;
}

/**
 * One negative per triple, uniform over the user's `top` best-scored non-training items under θ (full scores
 * of the filter's input signals, plus the low-pass term).
 */
function hardNegatives(
  k: ModelContext['kernels'], train: ModelContext['train'], users: Int32Array, col: Int32Array, input: Int32Array[],
  basis: Basis, theta: Float32Array, top: number, w: BasisWork, rng: Rng,
): Int32Array {
  const ni = train.cols, c = input.length;
  const rows = new Float32Array(c * ni);
  scoreSignals(k, basis.filters, basis.lowPass, basis.K, theta, input, rows, w);
  const work = createTopKWork(Math.min(top, ni)), best = new Int32Array(c * work.k), found = new Int32Array(c);
  const userOf = new Int32Array(c);
  col.forEach((b, p) => (userOf[b] = users[p]));
  for (let b = 0; b < c; b++) found[b] = topKInto(rows, b * ni, ni, rowOf(train, userOf[b]), work, best.subarray(b * work.k, (b + 1) * work.k));
  return Int32Array.from(col, (b) => best[b * work.k + rng.int(found[b])]);
}

/** Full scores from fixed coefficients: the training rows of the users through the filters (polycf-basis.ts). */
function polyScorer(k: ModelContext['kernels'], train: ModelContext['train'], basis: Basis, theta: Float32Array): Scorer {
  const ni = train.cols, nu = train.rows;
  let work: BasisWork | undefined;
  return {
    numItems: ni,
    scoreBatch(users: Int32Array, out: Float32Array): void {
      const c = users.length;
      if (out.length < c * ni) throw new RangeError(`scoreBatch: out has ${out.length} floats, need ${c} × ${ni}`);
      for (const u of users) if (!(u >= 0 && u < nu)) throw new RangeError(`scoreBatch: user ${u} out of range [0, ${nu})`);
      work ??= createBasisWork(nu, ni, basis.K);
      scoreSignals(k, basis.filters, basis.lowPass, basis.K, theta, Array.from(users, (u) => rowOf(train, u)), out, work);
    },
  };
}
