import type { Dataset } from '../data/dataset.js';
import { createDotScorer } from '../models/base/dot-scorer.js';
import { createPopularityScorer } from '../models/base/popularity.js';
import { createTextKnnScorer, type TextRows } from '../models/base/text-knn.js';
import type { Scorer } from '../models/types.js';
import type { Kernels } from '../tensor/kernels/types.js';
import { LmmrecError } from '../util/errors.js';
import { evaluate, type EvalResult } from './full-ranking.js';

export interface TextProbeOptions {
  ds: Dataset;
  /** Names the text in errors (the file and matrix it was read from). */
  where: string;
  dim: number;
  items: TextRows | undefined;
  /** Absent, or all rows masked, when only items have text (XRec Yelp). */
  users?: TextRows;
  split: 'valid' | 'test';
  kernels: Pick<Kernels, 'gemm' | 'gatherRows' | 'topKRows'>;
  signal?: AbortSignal;
}

export interface TextProbeRow {
  /** `popularity` (the floor), `item-kNN` (history · item text) or `user·item` (user text · item text). */
  readonly scorer: 'popularity' | 'item-kNN' | 'user·item';
  readonly result: EvalResult;
}

export interface TextProbe {
  readonly rows: TextProbeRow[];
  /** Entities whose row holds an embedding of real text. */
  readonly coverage: { users: number; items: number; numUsers: number; numItems: number };
}

/**
 * How much interaction signal a text representation carries, measured with training-free scorers under the
 * full-ranking protocol: text item-kNN over each user's training items, and, when users have text, user text
 * against item text; next to popularity, the floor any signal must clear. A text whose kNN barely beats
 * popularity gives an aligning plug-in (RLMRec, LMMRec) little to add to a CF model.
 */
export async function probeText(opts: TextProbeOptions): Promise<TextProbe> {
  const { ds, where, dim, items, users, kernels } = opts;
  if (!items) throw new LmmrecError('DATA', `${where}: no item rows`);
  const userRows = users?.hasText.length ?? ds.numUsers;
  if (userRows !== ds.numUsers || items.hasText.length !== ds.numItems) {
    throw new LmmrecError('DATA', `${where}: ${userRows} users × ${items.hasText.length} items, but the dataset ${ds.dir} has ${ds.numUsers} × ${ds.numItems}`);
  }
  const count = (mask: Uint8Array | undefined): number => (mask ? mask.reduce((s, v) => s + v, 0) : 0);
  const coverage = { users: count(users?.hasText), items: count(items.hasText), numUsers: ds.numUsers, numItems: ds.numItems };

  const scorers: [TextProbeRow['scorer'], Scorer][] = [
    ['popularity', createPopularityScorer(ds.train)],
    ['item-kNN', createTextKnnScorer(ds.train, items, dim, kernels)],
  ];
  if (users && coverage.users > 0) scorers.push(['user·item', createDotScorer(users.matrix, items.matrix, ds.numUsers, ds.numItems, dim, kernels)]);
  const rows: TextProbeRow[] = [];
  for (const [name, scorer] of scorers) {
    rows.push({ scorer: name, result: await evaluate(scorer, { train: ds.train, targets: ds[opts.split], kernels, signal: opts.signal }) });
  }
  return { rows, coverage };
}
