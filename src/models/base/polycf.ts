import { z } from 'zod';
import * as F from '../../tensor/fn.js';
import { createParam, type Tape } from '../../tensor/tape.js';
import { matrix, sharedF32 } from '../../tensor/tensor.js';
import { createRng } from '../../util/rng.js';
import type { BaseModel, Batch, Embeddings, LossTerms, ModelContext, Scorer } from '../types.js';
import {
  buildGramFilters, buildLowPass, chebyshevDiagonals, chebyshevTerms, type ChebyshevWork, createChebyshevWork,
  type GramFilter, type LowPass, lowPassCoords,
} from './polycf-filter.js';

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
 *   as R̃ᵀ(R̃ X) with sparse products; P_γ (350–480 MB dense here) is never formed.
 * - Basis: Chebyshev polynomials T_1..T_K (K = 3) of x = 2P_γ/λ_max − I, whose spectrum is [−1, 1] (a
 *   well-conditioned basis; λ_max from a randomized SVD). T_0 = I is left out: it only scores an item the user
 *   already has, which the protocol masks and leave-one-out training zeroes, so its weight would get no
 *   gradient. Init H_γ ≈ P_γ/λ_max (the GF-CF-like low-pass start of §C.3): θ_γ,1 = ½/|Γ|, others 0.
 * - Low-pass enhancement (GF-CF): β · r_u D_I^−½ V Vᵀ D_I^½ with V the top 256 right singular vectors of
 *   R̃_0.5 (tensor/linalg randomized SVD, seeded), β initialised to GF-CF's 0.3.
 * - Score s_ui = Σ_γ Σ_k θ_γ,k [r_u T_k(x_γ)]_i + β [r_u D^−½VVᵀD^½]_i: linear in the ~10 parameters.
 * - Objective: "recovering missing interactions" is taken literally as leave-one-out. A positive (u, i) is
 *   scored from r_u without i, which for a linear filter is the full score minus the filter's diagonal
 *   entry H_ii (precomputed once per basis, exact). Without this, BPR on training positives rewards the
 *   identity-like part of any filter (a training item trivially predicts itself) and the filter degenerates.
 *   L = BPR(s_LOO(u,i⁺), s(u,i⁻)) + μ · mean((s_LOO(u,i⁺) − 1)² + s(u,i⁻)²)/2, μ = 0.1: the squared term is
 *   the graph (reconstruction) objective of §C.3 restricted to the sampled entries, and it pins the scale
 *   that BPR alone leaves free.
 * - Batches are groups of users (`usersPerBatch`, with all their triples of the epoch), since the cost is
 *   one filter pass per user, not per triple. θ are a handful of scalars: train with --set train.lr=1e-2.
 */
export const PolyCfConfig = z.strictObject({
  gammas: z.array(z.number().min(0).max(1)).nonempty().default([0.3, 0.5, 0.7]),
  /** K: Chebyshev orders 1..K per Gram filter. */
  order: z.int().positive().max(8).default(3),
  /** Rank of the ideal low-pass term; 0 drops it. */
  lowPassRank: z.int().nonnegative().default(256),
  lowPassInit: z.number().default(0.3),
  /** μ of the reconstruction term. */
  recWeight: z.number().nonnegative().default(0.1),
  usersPerBatch: z.int().positive().default(512),
});
export type PolyCfConfig = z.infer<typeof PolyCfConfig>;

/** Signal columns for a list of users: S[i, c] = 1 when users[c] has item i in train. */
function signalBlock(train: ModelContext['train'], users: ArrayLike<number>, out: Float32Array): void {
  const c = users.length;
  out.fill(0, 0, train.cols * c);
  for (let b = 0; b < c; b++) {
    const u = users[b];
    for (let e = train.indptr[u]; e < train.indptr[u + 1]; e++) out[train.indices[e] * c + b] = 1;
  }
}

export async function createPolyCf(cfg: PolyCfConfig, ctx: ModelContext): Promise<BaseModel> {
  const { train, kernels: k } = ctx;
  const nu = train.rows, ni = train.cols, K = cfg.order;
  // The spectral basis is a function of the train graph alone (a fixed stream, not the run's init stream):
  // a checkpoint stores only θ, so it must reproduce the same basis whatever seed loads it.
  const basis = createRng(0).derive('polycf-basis');
  const filters = await buildGramFilters(train, cfg.gammas, basis.derive('gram'));
  const lowPass = cfg.lowPassRank > 0 ? await buildLowPass(train, cfg.lowPassRank, basis) : undefined;
  const nf = filters.length * K + (lowPass ? 1 : 0);
  const theta = createParam('theta', nf, 1);
  filters.forEach((_, g) => (theta.value.data[g * K] = 0.5 / filters.length));
  if (lowPass) theta.value.data[nf - 1] = cfg.lowPassInit;

  let work: ChebyshevWork | undefined;
  const workFor = (cols: number): ChebyshevWork => {
    if (!work || work.cols < cols) work = createChebyshevWork(nu, ni, cols);
    return work;
  };
  let signal = sharedF32(0);
  const signalFor = (cols: number): Float32Array => (signal.length < ni * cols ? (signal = sharedF32(ni * cols)) : signal);
  let diagonals: Float32Array[][] | undefined;

  return {
    name: 'polycf',
    numUsers: nu,
    numItems: ni,
    params: [theta],
    usersPerBatch: cfg.usersPerBatch,
    embed: (): Embeddings => ({ numUsers: nu, numItems: ni, layers: [] }),
    loss(t: Tape, _e: Embeddings, b: Batch): LossTerms {
      diagonals ??= filters.map((f) => chebyshevDiagonals(k, f, K, workFor(cfg.usersPerBatch)));
      const cols = new Map<number, number>(), users: number[] = [];
      for (const u of b.users) if (!cols.has(u)) cols.set(u, users.push(u) - 1);
      const c = users.length, n = b.users.length;
      const s = signalFor(c), w = workFor(c);
      signalBlock(train, users, s);
      const fp = matrix(n, nf), fn = matrix(n, nf);
      const col = Int32Array.from(b.users, (u) => cols.get(u)!);
      filters.forEach((f, g) => {
        chebyshevTerms(k, f, s, c, K, w, (o, tk) => {
          const j = g * K + o - 1, diag = diagonals![g][o - 1];
          for (let p = 0; p < n; p++) {
            fp.data[p * nf + j] = tk[b.pos[p] * c + col[p]] - diag[b.pos[p]];
            fn.data[p * nf + j] = tk[b.neg[p] * c + col[p]];
          }
        });
      });
      if (lowPass) lowPassFeatures(lowPass, train, users, col, b, fp.data, fn.data, nf);
      const th = t.param(theta);
      const sp = F.matmul(t, t.constant(fp), th), sn = F.matmul(t, t.constant(fn), th);
      const ones = matrix(n, 1), minusOnes = matrix(n, 1);
      ones.data.fill(1);
      minusOnes.data.fill(-1);
      const bpr = F.bprLoss(t, t.constant(ones), sp, sn);
      if (cfg.recWeight === 0) return { bpr };
      const sq = F.add(t, F.sumSquares(t, F.add(t, sp, t.constant(minusOnes))), F.sumSquares(t, sn));
      return { bpr, rec: F.scale(t, sq, cfg.recWeight / (2 * Math.max(1, n))) };
    },
    freeze: () => polyScorer(k, train, filters, lowPass, K, Float32Array.from(theta.value.data)),
  };
}

/** Low-pass feature (last column): d_i^½ (z_u · V_i), minus its diagonal Σ_j V_ij² for positives. */
function lowPassFeatures(
  lp: LowPass, train: ModelContext['train'], users: number[], col: Int32Array, b: Batch,
  fp: Float32Array, fn: Float32Array, nf: number,
): void {
  const r = lp.rank, z = new Float32Array(users.length * r);
  lowPassCoords(lp, train, users, z);
  const dot = (c: number, i: number): number => {
    let s = 0;
    for (let j = 0; j < r; j++) s += z[c * r + j] * lp.v[i * r + j];
    return s * lp.sqrtDeg[i];
  };
  for (let p = 0; p < b.users.length; p++) {
    fp[p * nf + nf - 1] = dot(col[p], b.pos[p]) - lp.diag[b.pos[p]];
    fn[p * nf + nf - 1] = dot(col[p], b.neg[p]);
  }
}

/** Full scores from fixed coefficients: Σ θ·T_k(x_γ)·r_u (sparse products) + β · low-pass (one GEMM). */
function polyScorer(
  k: ModelContext['kernels'], train: ModelContext['train'], filters: GramFilter[], lowPass: LowPass | undefined,
  K: number, theta: Float32Array,
): Scorer {
  const ni = train.cols, nu = train.rows;
  let work: ChebyshevWork | undefined, s = sharedF32(0), acc = sharedF32(0), z = sharedF32(0);
  return {
    numItems: ni,
    scoreBatch(users: Int32Array, out: Float32Array): void {
      const c = users.length;
      if (out.length < c * ni) throw new RangeError(`scoreBatch: out has ${out.length} floats, need ${c} × ${ni}`);
      for (const u of users) if (!(u >= 0 && u < nu)) throw new RangeError(`scoreBatch: user ${u} out of range [0, ${nu})`);
      if (!work || work.cols < c) work = createChebyshevWork(nu, ni, c);
      if (s.length < ni * c) [s, acc] = [sharedF32(ni * c), sharedF32(ni * c)];
      signalBlock(train, users, s);
      acc.fill(0, 0, ni * c);
      filters.forEach((f, g) => chebyshevTerms(k, f, s, c, K, work!, (o, tk) => k.axpy(theta[g * K + o - 1], tk, acc, ni * c)));
      if (lowPass) {
        if (z.length < c * lowPass.rank) z = sharedF32(c * lowPass.rank);
        lowPassCoords(lowPass, train, users, z);
        k.gemm(z, lowPass.vScaled, out, c, lowPass.rank, ni, false, true, false);
        k.scale(out, theta[theta.length - 1], out, c * ni);
      } else {
        out.fill(0, 0, c * ni);
      }
      for (let i = 0; i < ni; i++) for (let b = 0; b < c; b++) out[b * ni + i] += acc[i * c + b];
    },
  };
}
