import { normalSf, studentTTwoSidedP } from './distributions.js';
import { parseMetricKey } from './metrics.js';
import type { MetricKey } from './metrics.js';
import type { PerUserMetrics } from './full-ranking.js';

/**
 * Paired significance tests between two runs' per-user metric values (same users, same order).
 * Both are two-sided. Conventions match scipy.stats.ttest_rel and scipy.stats.wilcoxon(zero_method='wilcox',
 * correction=True) so numbers can be cross-checked.
 */

export interface TTestResult {
  n: number;
  /** mean(a - b) */
  meanDiff: number;
  /** sample standard deviation of a - b (n - 1 denominator) */
  sdDiff: number;
  t: number;
  df: number;
  p: number;
}

/**
 * Paired t-test on d = a - b: t = mean(d) / (sd(d) / √n), df = n - 1, two-sided p from the Student t CDF.
 * Degenerate cases: all differences equal to 0 → t = NaN, p = 1 (no evidence of a difference);
 * all differences equal and non-zero → t = ±Infinity, p = 0.
 */
export function pairedTTest(a: ArrayLike<number>, b: ArrayLike<number>): TTestResult {
  const n = checkPaired(a, b);
  if (n < 2) throw new RangeError(`paired t-test needs at least 2 pairs, got ${n}`);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += a[i] - b[i];
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const e = a[i] - b[i] - mean;
    ss += e * e;
  }
  const sd = Math.sqrt(ss / (n - 1));
  const df = n - 1;
  if (sd === 0) {
    return mean === 0 ? { n, meanDiff: 0, sdDiff: 0, t: NaN, df, p: 1 } : { n, meanDiff: mean, sdDiff: 0, t: Math.sign(mean) * Infinity, df, p: 0 };
  }
  const t = mean / (sd / Math.sqrt(n));
  return { n, meanDiff: mean, sdDiff: sd, t, df, p: studentTTwoSidedP(t, df) };
}

export interface WilcoxonResult {
  /** Pairs with a non-zero difference (the ones ranked). */
  n: number;
  /** Pairs dropped because a = b. */
  zeros: number;
  /** Rank sums of positive and negative differences (mid-ranks for ties). */
  wPlus: number;
  wMinus: number;
  /** min(wPlus, wMinus), as scipy reports it. */
  statistic: number;
  method: 'exact' | 'normal';
  /** Normal-approximation z (continuity- and tie-corrected); undefined for the exact method. */
  z?: number;
  p: number;
}

/** n ≤ this uses the exact null distribution. */
export const WILCOXON_EXACT_MAX_N = 25;

/**
 * Wilcoxon signed-rank test on d = a - b. Zero differences are dropped (Wilcox), |d| is ranked with
 * mid-ranks for ties. For n ≤ 25 the p-value is exact: the null distribution of W+ over all 2^n sign
 * assignments of the actual (mid-)ranks, by dynamic programming over doubled ranks (integers), so it stays
 * exact with ties. For n > 25: normal approximation with mean n(n+1)/4, variance
 * n(n+1)(2n+1)/24 - Σ(t³ - t)/48 over tie groups, and a 0.5 continuity correction toward the mean.
 * No non-zero difference at all → p = 1.
 */
export function wilcoxonSignedRank(a: ArrayLike<number>, b: ArrayLike<number>): WilcoxonResult {
  const total = checkPaired(a, b);
  const d: number[] = [];
  for (let i = 0; i < total; i++) {
    const x = a[i] - b[i];
    if (Number.isNaN(x)) throw new RangeError(`wilcoxon: NaN difference at index ${i}`);
    if (x !== 0) d.push(x);
  }
  const n = d.length, zeros = total - n;
  if (n === 0) return { n, zeros, wPlus: 0, wMinus: 0, statistic: 0, method: 'exact', p: 1 };
  const { ranks, tieGroups } = midRanks(d.map(Math.abs));
  let wPlus = 0, wMinus = 0;
  for (let i = 0; i < n; i++) if (d[i] > 0) wPlus += ranks[i]; else wMinus += ranks[i];
  const statistic = Math.min(wPlus, wMinus);
  if (n <= WILCOXON_EXACT_MAX_N) {
    return { n, zeros, wPlus, wMinus, statistic, method: 'exact', p: exactP(ranks, statistic) };
  }
  const mean = (n * (n + 1)) / 4;
  let tieTerm = 0;
  for (const t of tieGroups) tieTerm += t * t * t - t;
  const sd = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48);
  const z = (statistic - mean - 0.5 * Math.sign(statistic - mean)) / sd;
  return { n, zeros, wPlus, wMinus, statistic, method: 'normal', z, p: Math.min(1, 2 * normalSf(Math.abs(z))) };
}

/** Two-sided exact p = min(1, 2 P(W+ ≤ statistic)); the null distribution is symmetric. */
function exactP(ranks: number[], statistic: number): number {
  const doubled = ranks.map((r) => Math.round(2 * r));
  const max = doubled.reduce((s, r) => s + r, 0);
  let counts = new Float64Array(max + 1);
  counts[0] = 1;
  let reach = 0;
  for (const r of doubled) {
    const next = counts.slice();
    for (let s = 0; s <= reach; s++) if (counts[s]) next[s + r] += counts[s];
    counts = next;
    reach += r;
  }
  const limit = Math.round(2 * statistic);
  let below = 0;
  for (let s = 0; s <= limit; s++) below += counts[s];
  return Math.min(1, (2 * below) / 2 ** ranks.length);
}

/** 1-based mid-ranks of values; sizes of tie groups with more than one member. */
function midRanks(values: number[]): { ranks: number[]; tieGroups: number[] } {
  const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
  const ranks = new Array<number>(values.length);
  const tieGroups: number[] = [];
  for (let s = 0; s < order.length; ) {
    let e = s + 1;
    while (e < order.length && values[order[e]] === values[order[s]]) e++;
    const r = (s + 1 + e) / 2; // mean of ranks s+1 .. e
    for (let k = s; k < e; k++) ranks[order[k]] = r;
    if (e - s > 1) tieGroups.push(e - s);
    s = e;
  }
  return { ranks, tieGroups };
}

function checkPaired(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`paired test: lengths differ (${a.length} vs ${b.length})`);
  return a.length;
}

export interface RunComparison {
  metric: MetricKey;
  n: number;
  meanA: number;
  meanB: number;
  tTest: TTestResult;
  wilcoxon: WilcoxonResult;
}

/**
 * Compare two runs on one metric. The runs must cover exactly the same users (same split, same protocol);
 * anything else is an error naming the first mismatch rather than a silent intersection.
 */
export function compareRuns(a: PerUserMetrics, b: PerUserMetrics, metric: MetricKey): RunComparison {
  parseMetricKey(metric);
  const va = a[metric], vb = b[metric];
  if (!va || !vb) throw new RangeError(`metric ${metric} missing from ${!va ? 'run A' : 'run B'}`);
  if (a.users.length !== b.users.length) throw new RangeError(`runs evaluate different user counts (${a.users.length} vs ${b.users.length})`);
  for (let i = 0; i < a.users.length; i++) {
    if (a.users[i] !== b.users[i]) throw new RangeError(`runs differ at row ${i}: user ${a.users[i]} vs ${b.users[i]}`);
  }
  const mean = (v: Float64Array) => v.reduce((s, x) => s + x, 0) / v.length;
  return { metric, n: va.length, meanA: mean(va), meanB: mean(vb), tTest: pairedTTest(va, vb), wilcoxon: wilcoxonSignedRank(va, vb) };
}
