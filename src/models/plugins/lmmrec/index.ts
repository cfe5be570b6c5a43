import { z } from 'zod';
import * as F from '../../../tensor/fn.js';
import type { Node, Tape } from '../../../tensor/tape.js';
import type { Batch, Embeddings, Plugin, StepContext } from '../../types.js';
import { alignmentLoss, batchRows, createRowSizers, headBatch, lazyFactor, type ProjectedText, warmup } from '../align.js';
import type { PluginContext } from '../context.js';
import { l2Penalty } from '../projector.js';
import { cfEmbeddings } from '../rlmrec-con.js';
import { createScratch, type Scratch, stackRows, textRows } from '../rows.js';
import { createIme } from './ime.js';
import { distillationLoss } from './itc.js';
import { batchNodeSet, mcsLoss } from './mcs.js';
import { createTme } from './tme.js';

/**
 * LMMRec as a plug-in (method.md §B): L = L_base + L_sem + L_align + L_MCS + L_ITC + L_reg. Defaults are
 * IRLLRec's Amazon-book settings (`lightgcn_int.yml`) except λ_c and λ_t: IRLLRec's 1e-7 makes MCS and ITC
 * inert (§B.6 warning), so they start at 1e-3, inside the §B.6 search grid.
 */
export const LmmrecConfig = z.strictObject({
  useSem: z.boolean().default(true),
  useAlign: z.boolean().default(true),
  /** Off: L_align aligns t with the base embeddings e instead of the IME output h. */
  useIME: z.boolean().default(true),
  useMCS: z.boolean().default(true),
  useITC: z.boolean().default(true),
  /** dist: L_ITC = λ_t·L_dist; faithful: λ_t·(0.6·L_dist + 0.4·λ_c·L_MCS), IRLLRec's double count. */
  itcMode: z.enum(['dist', 'faithful']).default('dist'),
  /** K_m motivation prototypes per side. */
  prototypes: z.int().positive().default(128),
  lambdaS: z.number().nonnegative().default(1e-2),
  tauS: z.number().positive().default(0.2),
  lambdaA: z.number().nonnegative().default(2e-2),
  tauA: z.number().positive().default(0.2),
  lambdaC: z.number().nonnegative().default(1e-3),
  tauC: z.number().positive().default(1),
  lambdaT: z.number().nonnegative().default(1e-3),
  momentum: z.number().min(0).max(1).default(0.999),
  /** λ_reg on the plug-in's trainable parameters (prototypes, f_S, f_M; not the teacher). */
  regWeight: z.number().nonnegative().default(1e-7),
  /*
   * Cost knobs. The defaults are the method (all users as user candidates, the whole batch, |V| ≤ 4096,
   * K_m = 128); every term already runs on distinct batch rows and the IME on the anchors' subgraph, which is
   * exact. The approximations below trade fidelity for time. CPU per step on Amazon-book (bench/plugins.ts,
   * 256-d text, 2 threads): the defaults ~100× a LightGCN step; { userCandidates: 'batch', alignBatch: 512,
   * nodeCap: 512, prototypes: 32 } ~7× (`lmmrec/fast-512`), ~3.5× with useIME off, ~4.5× at alignBatch 256.
   * With 1024 / 1024 and real 256-d text (1 thread) ~11×: the IME ~4×, L_sem and L_align ~3× each, MCS ~1.5×,
   * ITC ~1×; ≤ 3× needs alignBatch 256 with useIME off (~2×). The IME's anchor subgraph holds ~85 % of the
   * nodes at alignBatch 1024 (~70 % at 512): its cost is the per-layer prototype read-outs of those nodes.
   */
  /** Candidates of the user terms of L_sem / L_align: all users (IRLLRec; n_u × |B| similarities) or the batch's. */
  userCandidates: z.enum(['all', 'batch']).default('all'),
  /** Cap on |V|, the node set of MCS and ITC (a uniform sample of the batch's distinct nodes beyond it). */
  nodeCap: z.int().positive().default(4096),
  /**
   * Triples of each batch the contrastive terms (L_sem, L_align with its IME anchors, and V of MCS / ITC) use:
   * a prefix of the shuffled batch, i.e. a uniform sample; 0 = all (the method) [DESIGN, a cost knob: in-batch
   * InfoNCE grows with its square, projections and the IME subgraph linearly].
   */
  alignBatch: z.int().nonnegative().default(0),
  /**
   * Epochs over which λ_s, λ_a, λ_c, λ_t ramp linearly from 0 (epoch 1) to their values (epoch W+1); 0 = none
   * [DESIGN]. Cosine terms are scale-invariant: at Xavier-scale embeddings their gradients dwarf BPR's, and
   * with them at full weight from step 1 BPR stays near log 2 for tens of epochs.
   */
  warmupEpochs: z.int().nonnegative().default(0),
  /**
   * The four text terms on every n-th step of an epoch at n × their weights (align.ts lazyFactor); 1 = every
   * step (the method). The teacher's EMA still follows f_M every step.
   */
  every: z.int().positive().default(1),
});
export type LmmrecConfig = z.infer<typeof LmmrecConfig>;

export function createLmmrec(cfg: LmmrecConfig, ctx: PluginContext): Plugin {
  const sem = cfg.useSem && cfg.lambdaS > 0;
  const align = cfg.useAlign && cfg.lambdaA > 0;
  const mcs = cfg.useMCS && cfg.lambdaC > 0;
  const itc = cfg.useITC && cfg.lambdaT > 0;
  const faithfulMcs = itc && cfg.itcMode === 'faithful' && cfg.lambdaC > 0;
  const tme = createTme(ctx, { semantic: sem, motivation: align || mcs || faithfulMcs, teacher: itc, userCandidates: cfg.userCandidates });
  const ime = align && cfg.useIME ? createIme(ctx, cfg.prototypes) : undefined;
  const trainable = [...(ime?.params ?? []), ...tme.trainable];

  const noise: [Scratch, Scratch] = [createScratch(), createScratch()], teacherRows = createScratch();
  const semSizers = createRowSizers(), motSizers = createRowSizers();
  const textMasks: [Scratch, Scratch] = [createScratch(), createScratch()], cfMasks: [Scratch, Scratch] = [createScratch(), createScratch()];

  /** The raw MCS value and L_dist over the node set V, as needed (neither when no node of V has text). */
  const nodeTerms = (t: Tape, e: { users: Node; items: Node }, mp: ProjectedText, b: Batch, step: StepContext): { rawMcs?: Node; dist?: Node } => {
    const m = tme.motivation!;
    const rng = step.rng.derive(`lmmrec/${step.step}`);
    const v = batchNodeSet(b, m.pair, cfg.nodeCap, rng);
    if (v.users.length + v.items.length === 0) return {};
    const tv = stackRows(t, mp.users, v.users.map((u) => mp.userRow[u]), mp.items, v.items.map((i) => mp.itemRow[i]), textMasks);
    const rawMcs = mcs || faithfulMcs ? mcsLoss(t, tv, stackRows(t, e.users, v.users, e.items, v.items, cfMasks), rng, cfg.tauC, noise) : undefined;
    let dist: Node | undefined;
    if (itc) {
      dist = distillationLoss(t, tv, tme.teacher!.forward(t, t.constant(textRows(m.pair, v.users, v.items, teacherRows)), true));
    }
    return { rawMcs, dist };
  };

  return {
    name: 'lmmrec',
    // The teacher rides in `params` so checkpoints and best-state restores include it; it never receives a
    // gradient, so Adam's moments stay 0 and its update is exactly 0.
    params: [...trainable, ...(tme.teacher?.params ?? [])],
    period: cfg.every,
    loss(t, emb: Embeddings, batch, step) {
      const terms: Record<string, Node> = {};
      const b = headBatch(batch, cfg.alignBatch);
      // Every term's weight × ramp: the warm-up factor times the lazy factor (0 on a skipped step).
      const warm = warmup(cfg.warmupEpochs, step.epoch), ramp = warm * lazyFactor(cfg.every, step.step, step.steps);
      const needsCf = ramp > 0 && (sem || align || mcs || itc);
      const e = needsCf ? cfEmbeddings(emb, 'lmmrec', ctx.baseName) : undefined;
      if (sem && ramp > 0) {
        const s = tme.semantic!;
        const rows = batchRows(b, s.pair, semSizers);
        const l = alignmentLoss(t, e!, s.text.project(t, rows), rows, { temperature: cfg.tauS, userCandidates: cfg.userCandidates });
        if (l !== undefined) terms.sem = F.scale(t, l, ramp * cfg.lambdaS);
      }
      const mRows = tme.motivation && ramp > 0 ? batchRows(b, tme.motivation.pair, motSizers) : undefined;
      const mp = mRows ? tme.motivation!.text.project(t, mRows) : undefined;
      if (align && ramp > 0) {
        const r = mRows!;
        const anchors = ime ? ime.forwardAt(t, emb.layers, r.users.ids.subarray(0, r.users.size), r.items.ids.subarray(0, r.items.size)) : e!;
        const l = alignmentLoss(t, anchors, mp!, mRows!, { temperature: cfg.tauA, userCandidates: cfg.userCandidates });
        if (l !== undefined) terms.align = F.scale(t, l, ramp * cfg.lambdaA);
      }
      if ((mcs || itc) && ramp > 0) {
        const { rawMcs, dist } = nodeTerms(t, e!, mp!, b, step);
        if (mcs && rawMcs !== undefined) terms.mcs = F.scale(t, rawMcs, ramp * cfg.lambdaC);
        if (dist !== undefined) {
          const lt = ramp * cfg.lambdaT;
          if (cfg.itcMode === 'dist') terms.itc = F.scale(t, dist, lt);
          else {
            const d = F.scale(t, dist, 0.6 * lt);
            terms.itc = rawMcs === undefined ? d : F.add(t, d, F.scale(t, rawMcs, 0.4 * lt * warm * cfg.lambdaC));
          }
        }
      }
      if (cfg.regWeight > 0 && trainable.length > 0) terms.reg = l2Penalty(t, trainable, cfg.regWeight);
      return terms;
    },
    onStepEnd() {
      if (itc) tme.ema(cfg.momentum);
    },
  };
}
