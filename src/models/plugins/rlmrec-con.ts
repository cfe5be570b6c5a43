import { z } from 'zod';
import * as F from '../../tensor/fn.js';
import type { Node } from '../../tensor/tape.js';
import { ConfigError } from '../../util/errors.js';
import type { Embeddings, Plugin } from '../types.js';
import { alignmentLoss, batchRows, createRowSizers, createTextProjection, headBatch, lazyFactor, warmup } from './align.js';
import { type PluginContext, requireText } from './context.js';
import { createProjector, l2Penalty } from './projector.js';

/**
 * RLMRec-Con (Ren et al., WWW 2024; method.md §C.4): L = L_base + kd_weight · L_sem, with L_sem the contrastive
 * alignment of the CF embeddings e with the projected profile embeddings f_S(S) (§B.4.2): users against all
 * users' profiles, items against the in-batch items' profiles. Defaults are RLMRec's Amazon-book settings
 * (`lightgcn_plus.yml`); Yelp uses the same, Steam weight 1e-3 / τ 0.1.
 */
export const RlmrecConConfig = z.strictObject({
  /** kd_weight (λ_s). */
  weight: z.number().nonnegative().default(1e-2),
  /** kd_temperature (τ_s). */
  temperature: z.number().positive().default(0.2),
  userCandidates: z.enum(['all', 'batch']).default('all'),
  /**
   * Triples of each batch the InfoNCE terms use (a prefix of the shuffled batch); 0 = all, as RLMRec. A cost
   * knob: with userCandidates 'batch' and 512, a step costs ~2× a LightGCN step's CPU on Amazon-book (the
   * defaults ~40×; bench/plugins.ts).
   */
  alignBatch: z.int().nonnegative().default(0),
  /** Epochs over which the weight ramps linearly from 0 (see LMMRec's warmupEpochs); 0 = none, as RLMRec. */
  warmupEpochs: z.int().nonnegative().default(0),
  /** L_sem on every n-th step of an epoch at n × its weight (align.ts lazyFactor); 1 = every step, as RLMRec. */
  every: z.int().positive().default(1),
  /** L2 on the projector's parameters (RLMRec's reg_weight covers all parameters; the base's reg covers its own). */
  regWeight: z.number().nonnegative().default(1e-7),
});
export type RlmrecConConfig = z.infer<typeof RlmrecConConfig>;

export function createRlmrecCon(cfg: RlmrecConConfig, ctx: PluginContext): Plugin {
  const pair = requireText(ctx, 'rlmrec-con', 'semantic');
  const proj = createProjector('mlp', pair.users.cols, ctx.dim, ctx.rng.derive('mlp'));
  const text = createTextProjection(pair, proj, cfg.userCandidates), sizers = createRowSizers();
  return {
    name: 'rlmrec-con',
    params: proj.params,
    period: cfg.every,
    loss(t, e, b, step) {
      const terms: Record<string, Node> = {};
      const ramp = warmup(cfg.warmupEpochs, step.epoch) * lazyFactor(cfg.every, step.step, step.steps);
      if (cfg.weight > 0 && ramp > 0) {
        const rows = batchRows(headBatch(b, cfg.alignBatch), pair, sizers);
        const l = alignmentLoss(t, cfEmbeddings(e, 'rlmrec-con', ctx.baseName), text.project(t, rows), rows, cfg);
        if (l !== undefined) terms.sem = F.scale(t, l, ramp * cfg.weight);
      }
      if (cfg.regWeight > 0) terms.reg = l2Penalty(t, proj.params, cfg.regWeight);
      return terms;
    },
  };
}

/** The final user / item embeddings, or a ConfigError for a base without ID embeddings (PolyCF). */
export function cfEmbeddings(e: Embeddings, plugin: string, base: string): { users: Node; items: Node } {
  if (e.users === undefined || e.items === undefined) {
    throw new ConfigError(`${plugin} aligns user / item embeddings, and base model "${base}" has none; use a base with ID embeddings (lightgcn, mf, weightedgcl)`);
  }
  return { users: e.users, items: e.items };
}
