import { z } from 'zod';
import * as F from '../../tensor/fn.js';
import { createParam, type Node, type Tape } from '../../tensor/tape.js';
import { matrix } from '../../tensor/tensor.js';
import { ConfigError } from '../../util/errors.js';
import type { Plugin, StepContext } from '../types.js';
import { type PluginContext, requireText } from './context.js';
import { createProjector, l2Penalty } from './projector.js';
import { cfEmbeddings } from './rlmrec-con.js';
import { createScratch, sampleIds, type Scratch, stackRows, textRows, withText } from './rows.js';

/**
 * RLMRec-Gen (method.md §C.5; RLMRec `lightgcn_gene.py`, `NodeMask`): each step ⌊ratio·N⌋ nodes (at least 1),
 * drawn uniformly over users and items, have their EGO embedding replaced by one learnable mask token
 * (zero-initialised) before the base model propagates; a head σ↑: d → ⌊(d_t+d)/2⌋ → d_t maps the masked nodes'
 * final embeddings back to their profile embeddings, scored by ssl_con_loss (InfoNCE over the masked set,
 * mean-reduced). The base's BPR then uses the embeddings of the masked graph. Defaults: Amazon-book (Yelp:
 * ratio 0.05, weight 0.01, τ 0.1); RLMRec also uses 2 base layers here (`--set model.layers=2`).
 */
export const RlmrecGenConfig = z.strictObject({
  maskRatio: z.number().min(0).max(1).default(0.15),
  /** recon_weight (λ_r). */
  weight: z.number().nonnegative().default(0.1),
  /** τ_r */
  temperature: z.number().positive().default(0.5),
  /** L2 on the head and the mask token. */
  regWeight: z.number().nonnegative().default(1e-7),
});
export type RlmrecGenConfig = z.infer<typeof RlmrecGenConfig>;

export function createRlmrecGen(cfg: RlmrecGenConfig, ctx: PluginContext): Plugin {
  const pair = requireText(ctx, 'rlmrec-gen', 'semantic');
  const nu = ctx.numUsers, n = ctx.numUsers + ctx.numItems, d = ctx.dim;
  const token = createParam('maskToken', 1, d);
  const head = createProjector('head', d, pair.users.cols, ctx.rng.derive('head'));
  const params = [token, ...head.params];
  const all = Int32Array.from({ length: n }, (_, i) => i);
  // Constant masks reused every step: keep[v] = 0 for masked rows, 1 otherwise; pick[v] = 1 − keep[v].
  const keep = matrix(n, d), pick = matrix(n, 1);
  keep.data.fill(1);
  const targetRows = createScratch(), masks: [Scratch, Scratch] = [createScratch(), createScratch()];
  let seeds = new Int32Array(0), maskedAt = '';

  const mask = (t: Tape, ego: Node, step: StepContext): Node => {
    for (const v of seeds) {
      keep.data.fill(1, v * d, v * d + d);
      pick.data[v] = 0;
    }
    const k = Math.max(1, Math.floor(cfg.maskRatio * n));
    seeds = sampleIds(all, k, step.rng.derive(`rlmrec-gen/${step.step}`)).slice().sort();
    for (const v of seeds) {
      keep.data.fill(0, v * d, v * d + d);
      pick.data[v] = 1;
    }
    maskedAt = `${step.epoch}/${step.step}`;
    return F.add(t, F.mul(t, ego, t.constant(keep)), F.matmul(t, t.constant(pick), t.param(token)));
  };

  return {
    name: 'rlmrec-gen',
    params,
    transformEgo: (t, ego, step) => (cfg.maskRatio > 0 ? mask(t, ego, step) : ego),
    loss(t, e, _b, step) {
      const terms: Record<string, Node> = {};
      if (cfg.maskRatio > 0) {
        if (maskedAt !== `${step.epoch}/${step.step}`) {
          throw new ConfigError(`rlmrec-gen masks ego embeddings, and base model "${ctx.baseName}" does not apply ego transforms; use lightgcn or lightgcn-paper`);
        }
        const split = seeds.findIndex((v) => v >= nu);
        const users = withText(split < 0 ? seeds : seeds.subarray(0, split), pair.userMask);
        const items = withText(split < 0 ? new Int32Array(0) : seeds.subarray(split).map((v) => v - nu), pair.itemMask);
        const m = users.length + items.length;
        if (cfg.weight > 0 && m > 0) {
          const { users: eu, items: ei } = cfEmbeddings(e, 'rlmrec-gen', ctx.baseName);
          const rec = head.forward(t, stackRows(t, eu, users, ei, items, masks));
          const s = t.constant(textRows(pair, users, items, targetRows));
          terms.gen = F.scale(t, F.infoNce(t, rec, s, s, cfg.temperature), cfg.weight / m);
        }
      }
      if (cfg.regWeight > 0) terms.reg = l2Penalty(t, params, cfg.regWeight);
      return terms;
    },
  };
}
