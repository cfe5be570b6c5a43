import * as F from '../../tensor/fn.js';
import type { Node, Tape } from '../../tensor/tape.js';
import type { Mat } from '../../tensor/tensor.js';
import type { Batch } from '../types.js';
import type { TextPair } from './context.js';
import type { Projector } from './projector.js';
import { copyRows, createScratch, withText } from './rows.js';

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

export interface TextProjection {
  /** Project the rows of this batch (and, for 'all', every user with text) through the projector. */
  project(t: Tape, b: Batch, detached?: boolean): ProjectedText;
}

/**
 * The projected-text side of an alignment: f(S) for the rows one step needs (RLMRec projects per row too).
 * Batch rows are projected with their duplicates, so shapes stay fixed from step to step and the tape
 * reuses its buffers; rows are then gathered by first occurrence. One projection per step: the row buffers
 * are reused by the next call.
 */
export function createTextProjection(pair: TextPair, proj: Projector, userCandidates: UserCandidates): TextProjection {
  const nu = pair.users.rows, ni = pair.items.rows;
  const textUsers = withText(Int32Array.from({ length: nu }, (_, u) => u), pair.userMask);
  const allUsers: Mat = textUsers.length === nu ? pair.users : copyRows(pair.users, textUsers);
  const allRow = new Int32Array(nu).fill(-1);
  textUsers.forEach((u, i) => (allRow[u] = i));
  const rowsOf = (ids: Int32Array, bound: number): Int32Array => {
    const row = new Int32Array(bound).fill(-1);
    ids.forEach((v, i) => row[v] < 0 && (row[v] = i));
    return row;
  };
  const userScratch = createScratch(), itemScratch = createScratch();
  return {
    project(t, b, detached = false) {
      let users: Node, userRow: Int32Array;
      if (userCandidates === 'all') {
        users = proj.forward(t, t.constant(allUsers), detached);
        userRow = allRow;
      } else {
        const ids = withText(b.users, pair.userMask);
        users = proj.forward(t, t.constant(copyRows(pair.users, ids, userScratch)), detached);
        userRow = rowsOf(ids, nu);
      }
      const pos = withText(b.pos, pair.itemMask), neg = withText(b.neg, pair.itemMask);
      const itemIds = new Int32Array(pos.length + neg.length);
      itemIds.set(pos);
      itemIds.set(neg, pos.length);
      const items = proj.forward(t, t.constant(copyRows(pair.items, itemIds, itemScratch)), detached);
      return { users, userRow, items, itemRow: rowsOf(itemIds, ni) };
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

/** Rows `ids` of a projection (ids must have been projected). */
export function projectedRows(t: Tape, proj: Node, row: Int32Array, ids: Int32Array): Node {
  return F.gatherRows(t, proj, ids.map((v) => row[v]));
}

/**
 * method.md §B.4.2 (L_sem, RLMRec-Con's `kd_loss`) and §B.4.3 (L_align), before their weight:
 *   InfoNCE(a_u, s_u; s_{users}, τ)/|B_u| + InfoNCE(a_{i⁺}, s_{i⁺}; s_{i⁺ in batch}, τ)/|B_{i⁺}| + (same for i⁻)
 * with the anchors `a` (CF embeddings e, or the IME output h) and the projected text `p`. Rows whose entity has
 * no text are dropped from anchors and candidates; with full text every divisor is |B|, as in RLMRec.
 * Undefined when no row of the batch has text.
 */
export function alignmentLoss(
  t: Tape, anchors: { users: Node; items: Node }, p: ProjectedText, pair: TextPair, b: Batch,
  opts: { temperature: number; userCandidates: UserCandidates },
): Node | undefined {
  const terms: Node[] = [];
  const users = withText(b.users, pair.userMask);
  if (users.length > 0) {
    const pos = projectedRows(t, p.users, p.userRow, users);
    const cand = opts.userCandidates === 'all' ? p.users : pos;
    terms.push(F.scale(t, F.infoNce(t, F.gatherRows(t, anchors.users, users), pos, cand, opts.temperature), 1 / users.length));
  }
  for (const side of [b.pos, b.neg]) {
    const items = withText(side, pair.itemMask);
    if (items.length === 0) continue;
    const pos = projectedRows(t, p.items, p.itemRow, items);
    terms.push(F.scale(t, F.infoNce(t, F.gatherRows(t, anchors.items, items), pos, pos, opts.temperature), 1 / items.length));
  }
  if (terms.length === 0) return undefined;
  return terms.reduce((acc, n) => F.add(t, acc, n));
}
