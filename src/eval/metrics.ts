/**
 * Ranking metrics as pure functions of one user's ranked top-K list and target set.
 *
 * Every metric reads only `rel` (rel[r] = 1 if the item at 0-based rank r is a target), the number of
 * targets |T_u| and the cut-off K, so the evaluator computes `rel` once per user and reads every metric
 * and every K from it. Definitions follow the `rlmrec` protocol (conventions.md, method.md B.0):
 * - Recall@K    = hits@K / |T_u|
 * - NDCG@K      = DCG@K / IDCG@K, gain 1/log2(rank+1) for 1-based rank; IDCG over min(K, |T_u|) ideal hits
 * - Precision@K = hits@K / K (K, not the list length, even when fewer than K candidates exist)
 * - Hit@K       = 1 if hits@K > 0 else 0
 * - MRR@K       = 1 / (1-based rank of the first hit within K), 0 without a hit
 * A user with no targets has no defined Recall/NDCG; the functions return NaN and the evaluator never
 * calls them for such a user (the protocol does not count them).
 */

import { ConfigError } from '../util/errors.js';

export const METRIC_NAMES = ['recall', 'ndcg', 'precision', 'hit', 'mrr'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
/** Result key, e.g. `recall@20`. */
export type MetricKey = `${MetricName}@${number}`;

export type MetricFn = (rel: Uint8Array, numTargets: number, k: number) => number;

export const DEFAULT_KS: readonly number[] = [5, 10, 20];

export function metricKey(name: MetricName, k: number): MetricKey {
  return `${name}@${k}`;
}

/** rel[r] = 1 iff ranked[r] ∈ targets; `targets` is sorted ascending (a CSR row). */
export function relevance(ranked: ArrayLike<number>, targets: Int32Array, out = new Uint8Array(ranked.length)): Uint8Array {
  for (let r = 0; r < ranked.length; r++) out[r] = sortedHas(targets, ranked[r]) ? 1 : 0;
  return out;
}

function hitsAt(rel: Uint8Array, k: number): number {
  const m = Math.min(k, rel.length);
  let h = 0;
  for (let r = 0; r < m; r++) h += rel[r];
  return h;
}

/** 1/log2(rank+1) for 1-based rank, i.e. 1/log2(r+2) for 0-based r. */
function discount(r: number): number {
  return 1 / Math.log2(r + 2);
}

export const recall: MetricFn = (rel, numTargets, k) => (numTargets > 0 ? hitsAt(rel, k) / numTargets : NaN);

export const ndcg: MetricFn = (rel, numTargets, k) => {
  if (numTargets <= 0) return NaN;
  const m = Math.min(k, rel.length);
  let dcg = 0;
  for (let r = 0; r < m; r++) if (rel[r]) dcg += discount(r);
  let idcg = 0;
  const ideal = Math.min(k, numTargets);
  for (let r = 0; r < ideal; r++) idcg += discount(r);
  return dcg / idcg;
};

export const precision: MetricFn = (rel, _numTargets, k) => hitsAt(rel, k) / k;

export const hit: MetricFn = (rel, _numTargets, k) => (hitsAt(rel, k) > 0 ? 1 : 0);

export const mrr: MetricFn = (rel, _numTargets, k) => {
  const m = Math.min(k, rel.length);
  for (let r = 0; r < m; r++) if (rel[r]) return 1 / (r + 1);
  return 0;
};

/** Typed table: a missing metric is a compile error, an unknown name a listed error (`parseMetricName`). */
export const METRICS = { recall, ndcg, precision, hit, mrr } satisfies Record<MetricName, MetricFn>;

/** Every (metric, K) value for one user: the convenience form of the table above. */
export function scoreRanking(
  ranked: ArrayLike<number>,
  targets: Int32Array,
  ks: readonly number[] = DEFAULT_KS,
  metrics: readonly MetricName[] = METRIC_NAMES,
): Partial<Record<MetricKey, number>> {
  const rel = relevance(ranked, targets);
  const res: Partial<Record<MetricKey, number>> = {};
  for (const m of metrics) for (const k of ks) res[metricKey(m, k)] = METRICS[m](rel, targets.length, k);
  return res;
}

/** Parse `recall@20` into its parts; unknown names list the valid ones. */
export function parseMetricKey(key: string): { name: MetricName; k: number } {
  const m = /^([a-z]+)@([1-9][0-9]*)$/.exec(key);
  if (!m || !(METRIC_NAMES as readonly string[]).includes(m[1])) {
    throw new ConfigError(`unknown metric "${key}"; expected <name>@<K> with name one of ${METRIC_NAMES.join(', ')}`);
  }
  return { name: m[1] as MetricName, k: Number(m[2]) };
}

function sortedHas(a: Int32Array, v: number): boolean {
  let lo = 0, hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const x = a[mid];
    if (x === v) return true;
    if (x < v) lo = mid + 1; else hi = mid - 1;
  }
  return false;
}
