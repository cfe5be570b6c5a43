import { z } from 'zod';
import * as F from '../../tensor/fn.js';
import { xavierUniform } from '../../tensor/init.js';
import { createParam, type Tape } from '../../tensor/tape.js';
import { sharedF32 } from '../../tensor/tensor.js';
import type { BaseModel, Batch, Embeddings, LossTerms, ModelContext } from '../types.js';
import { createDotScorer } from './dot-scorer.js';

/**
 * MF-BPR (Rendle et al., UAI 2009): free user and item vectors, ŷ_ui = p_u · q_i, BPR loss. d = 32 to match
 * the LightGCN it is compared with; L2 as the LightGCN authors' PureMF codes it, λ · ½(‖p_u‖² + ‖q_i‖² +
 * ‖q_j‖²) / |B| on the batch rows (λ = 1e-4), since a model without propagation only touches batch rows.
 * `regScope: all-params` switches to RLMRec's λ Σ‖θ‖².
 */
export const MfConfig = z.strictObject({
  dim: z.int().positive().default(32),
  regWeight: z.number().nonnegative().default(1e-4),
  regScope: z.enum(['all-params', 'batch-ego']).default('batch-ego'),
});
export type MfConfig = z.infer<typeof MfConfig>;

export function createMf(cfg: MfConfig, ctx: ModelContext): BaseModel {
  const nu = ctx.train.rows, ni = ctx.train.cols, d = cfg.dim;
  const user = createParam('user', nu, d), item = createParam('item', ni, d);
  xavierUniform(user.value, ctx.rng.derive('user-emb'));
  xavierUniform(item.value, ctx.rng.derive('item-emb'));
  return {
    name: 'mf',
    numUsers: nu,
    numItems: ni,
    params: [user, item],
    embed(t: Tape): Embeddings {
      const users = t.param(user), items = t.param(item);
      return { numUsers: nu, numItems: ni, users, items, layers: [] };
    },
    loss(t: Tape, e: Embeddings, b: Batch): LossTerms {
      const u = F.gatherRows(t, e.users!, b.users), p = F.gatherRows(t, e.items!, b.pos), q = F.gatherRows(t, e.items!, b.neg);
      const bpr = F.bprLoss(t, u, p, q);
      if (cfg.regWeight === 0) return { bpr };
      if (cfg.regScope === 'all-params') {
        return { bpr, reg: F.scale(t, F.add(t, F.sumSquares(t, e.users!), F.sumSquares(t, e.items!)), cfg.regWeight) };
      }
      const s = F.add(t, F.add(t, F.sumSquares(t, u), F.sumSquares(t, p)), F.sumSquares(t, q));
      return { bpr, reg: F.scale(t, s, (0.5 * cfg.regWeight) / Math.max(1, b.users.length)) };
    },
    freeze() {
      const u = sharedF32(nu * d), i = sharedF32(ni * d);
      u.set(user.value.data);
      i.set(item.value.data);
      return createDotScorer(u, i, nu, ni, d, ctx.kernels);
    },
  };
}
