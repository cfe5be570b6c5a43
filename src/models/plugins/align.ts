import * as F from '../../tensor/fn.js';
import type { Node, Tape } from '../../tensor/tape.js';
import type { Mat } from '../../tensor/tensor.js';
import type { Batch } from '../types.js';
import type { TextPair } from './context.js';
import type { Projector } from './projector.js';
import { infoNceWeighted as infoNceWeightedOp } from '../../tensor/ops/info-nce-weighted.js';
import { copyRows, createScratch, createSizer, type Distinct, distinct, rowIndex, type Sizer, withText } from './rows.js';

/** 'all': every user's projected text is a candidate (RLMRec); 'batch': the batch users' rows, like items. */
export type UserCandidates = 'all' | 'batch';

/** One step's projections of a text matrix: the user and item rows the batch's losses need, projected once. */
export interface ProjectedText {
  readonly users: Node;
  /** userRow[u] = u's (first) row in `users`, −1 when u was not projected (no text, or not in the batch). */
  readonly userRow: Int32Array;
  readonly items: Node;
  readonly itemRow: Int32Array;
}

/**
 * The rows of one batch that have text in a pair, de-duplicated with their multiplicities (the contrastive
 * terms run on distinct rows, weighted; see infoNceWeighted): users, positive items, negative items, and the
 * distinct items of both sides (the item rows to project).
 */
export interface BatchRows {
  readonly users: Distinct;
  readonly pos: Distinct;
  readonly neg: Distinct;
  readonly items: Distinct;
}

/** One sizer per row set of BatchRows (a call site's state: padded sizes stay put from step to step). */
export interface RowSizers {
  readonly users: Sizer;
  readonly pos: Sizer;
  readonly neg: Sizer;
  readonly items: Sizer;
}

export function createRowSizers(): RowSizers {
  return { users: createSizer(), pos: createSizer(), neg: createSizer(), items: createSizer() };
}

export function batchRows(b: Batch, pair: TextPair, sizers?: RowSizers): BatchRows {
  const ni = pair.items.rows;
  const pos = distinct(b.pos, pair.itemMask, ni, sizers?.pos), neg = distinct(b.neg, pair.itemMask, ni, sizers?.neg);
  const both = new Int32Array(pos.size + neg.size);
  both.set(pos.ids.subarray(0, pos.size));
  both.set(neg.ids.subarray(0, neg.size), pos.size);
  return {
    users: distinct(b.users, pair.userMask, pair.users.rows, sizers?.users), pos, neg,
    items: distinct(both, pair.itemMask, ni, sizers?.items),
  };
}

export interface TextProjection {
  /** Project the rows of this batch (and, for 'all', every user with text) through the projector. */
  project(t: Tape, rows: BatchRows, detached?: boolean): ProjectedText;
}

/**
 * The projected-text side of an alignment: f(S) for the rows one step needs (RLMRec projects per row too),
 * each distinct row once. Row counts are bucketed (Distinct), so the tape reuses its buffers across steps.
 * One projection per step: the row buffers are reused by the next call.
 */
export function createTextProjection(pair: TextPair, proj: Projector, userCandidates: UserCandidates): TextProjection {
  const nu = pair.users.rows, ni = pair.items.rows;
  const textUsers = withText(Int32Array.from({ length: nu }, (_, u) => u), pair.userMask);
  const allUsers: Mat = textUsers.length === nu ? pair.users : copyRows(pair.users, textUsers);
  const allRow = rowIndex(textUsers, nu);
  const userRow = new Int32Array(nu), itemRow = new Int32Array(ni);
  const userScratch = createScratch(), itemScratch = createScratch();
  return {
    project(t, rows, detached = false) {
      const users = userCandidates === 'all'
        ? proj.forward(t, t.constant(allUsers), detached)
        : proj.forward(t, t.constant(copyRows(pair.users, rows.users.ids, userScratch)), detached);
      const items = proj.forward(t, t.constant(copyRows(pair.items, rows.items.ids, itemScratch)), detached);
      return {
        users, userRow: userCandidates === 'all' ? allRow : rowIndex(rows.users.ids, nu, userRow),
        items, itemRow: rowIndex(rows.items.ids, ni, itemRow),
      };
    },
  };
}

/**
 * The first n triples of a batch (all of them for n = 0): the contrastive terms' share of the batch. Batches
 * are shuffled, so a prefix is a uniform sample; in-batch InfoNCE costs grow with its square [DESIGN].
 */
export function headBatch(b: Batch, n: number): Batch {
  if (n === 0 || n >= b.users.length) return b;
  return { users: b.users.subarray(0, n), pos: b.pos.subarray(0, n), neg: b.neg.subarray(0, n) };
}

/** Weight factor in an epoch under a linear warm-up over `epochs` epochs: 0 in epoch 1, 1 from epoch epochs+1. */
export function warmup(epochs: number, epoch: number): number {
  return epochs === 0 ? 1 : Math.min(1, Math.max(0, (epoch - 1) / epochs));
}

/**
 * Lazy regularisation (StyleGAN2 computes its R1 term every 16 minibatches): the text terms run on every `every`-th
 * step of an epoch with their weights × `every`, so their expected gradient per step is unchanged and their cost
 * per epoch falls ~`every`-fold [DESIGN, a cost knob]. The factor for step `step` (0-based) of an epoch of `steps`:
 * the length of the period it opens (`every`, or what is left of the epoch), 0 inside a period. Counting within the
 * epoch keeps a resumed run on the uninterrupted run's schedule, and every epoch's weights sum to its step count.
 */
export function lazyFactor(every: number, step: number, steps = Infinity): number {
  return step % every === 0 ? Math.min(every, steps - step) : 0;
}

/** Rows `ids` of a node whose row of id v is row[v] (v itself without a map). */
export function rowsOf(t: Tape, x: Node, ids: Int32Array, row?: Int32Array): Node {
  return F.gatherRows(t, x, row ? ids.map((v) => row[v]) : ids);
}

/** The anchors of an alignment: CF embeddings e (rows = ids), or IME outputs h with row maps. */
export interface Anchors {
  readonly users: Node;
  readonly items: Node;
  readonly userRow?: Int32Array;
  readonly itemRow?: Int32Array;
}

/** Weighted InfoNCE over distinct rows (src/tensor/ops/info-nce-weighted.ts). */
export function infoNceWeighted(t: Tape, a: Node, b: Node, c: Node, temperature: number, weights: Float32Array, counts?: Float32Array): Node {
  return t.run(infoNceWeightedOp, [a, b, c], { temperature, eps: 1e-8, weights, counts });
}

/**
 * method.md §B.4.2 (L_sem, RLMRec-Con's `kd_loss`) and §B.4.3 (L_align), before their weight:
 *   InfoNCE(a_u, s_u; s_{users}, τ)/|B_u| + InfoNCE(a_{i⁺}, s_{i⁺}; s_{i⁺ in batch}, τ)/|B_{i⁺}| + (same for i⁻)
 * with the anchors `a` (CF embeddings e, or the IME output h) and the projected text `p`. Rows whose entity has
 * no text are dropped from anchors and candidates; with full text every divisor is |B|, as in RLMRec. Each
 * InfoNCE runs on the distinct rows with their multiplicities, which is the same sum as over the batch's rows
 * with duplicates (in-batch candidates keep their multiplicities too). Undefined when no row has text.
 */
export function alignmentLoss(
  t: Tape, anchors: Anchors, p: ProjectedText, rows: BatchRows,
  opts: { temperature: number; userCandidates: UserCandidates },
): Node | undefined {
  const terms: Node[] = [];
  const u = rows.users;
  if (u.size > 0) {
    const pos = rowsOf(t, p.users, u.ids, p.userRow), all = opts.userCandidates === 'all';
    const l = infoNceWeighted(t, rowsOf(t, anchors.users, u.ids, anchors.userRow), pos, all ? p.users : pos, opts.temperature, u.counts, all ? undefined : u.counts);
    terms.push(F.scale(t, l, 1 / u.total));
  }
  for (const side of [rows.pos, rows.neg]) {
    if (side.size === 0) continue;
    const pos = rowsOf(t, p.items, side.ids, p.itemRow);
    const l = infoNceWeighted(t, rowsOf(t, anchors.items, side.ids, anchors.itemRow), pos, pos, opts.temperature, side.counts, side.counts);
    terms.push(F.scale(t, l, 1 / side.total));
  }
  if (terms.length === 0) return undefined;
  return terms.reduce((acc, n) => F.add(t, acc, n));
}
