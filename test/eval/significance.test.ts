import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareRuns, pairedTTest, wilcoxonSignedRank } from '../../src/eval/significance.js';
import type { PerUserMetrics } from '../../src/eval/full-ranking.js';

function close(a: number, b: number, rel: number, msg: string): void {
  assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${msg}: ${a} vs ${b}`);
}

// n = 8, d = a - b = [2, 4, -1, 7, -3, 6, 5, 9]: no ties, no zeros.
const a8 = [12, 15, 9, 20, 14, 18, 11, 17];
const b8 = [10, 11, 10, 13, 17, 12, 6, 8];

test('paired t-test: hand-computed n = 8 case and scipy.stats.ttest_rel', () => {
  // mean d = 29/8 = 3.625; Σ(d - mean)² = Σd² - 8·mean² = 221 - 105.125 = 115.875; sd = √(115.875/7)
  // t = 3.625 / (sd/√8) = 2.52004; df = 7
  const r = pairedTTest(a8, b8);
  assert.equal(r.df, 7);
  close(r.meanDiff, 3.625, 1e-15, 'mean');
  close(r.sdDiff, Math.sqrt(115.875 / 7), 1e-15, 'sd');
  close(r.t, 3.625 / Math.sqrt(115.875 / 7 / 8), 1e-14, 't');
  close(r.t, 2.5200383552157217, 1e-13, "t (scipy)");
  close(r.p, 0.03980830652578353, 1e-11, 'p (scipy ttest_rel)');
});

test('paired t-test: n = 40 integer pairs (scipy), and degenerate differences', () => {
  const r = pairedTTest(X40, Y40);
  close(r.t, 0.7451454845546175, 1e-12, 't');
  close(r.p, 0.460651023774228, 1e-11, 'p');
  assert.deepEqual(pairedTTest([1, 2, 3], [1, 2, 3]), { n: 3, meanDiff: 0, sdDiff: 0, t: NaN, df: 2, p: 1 });
  assert.equal(pairedTTest([2, 3, 4], [1, 2, 3]).p, 0);
  assert.throws(() => pairedTTest([1], [2]), /at least 2 pairs/);
  assert.throws(() => pairedTTest([1, 2], [2]), /lengths differ/);
});

test('wilcoxon exact, no ties: n = 8 by hand and scipy method="exact"', () => {
  // |d| ranks: 1→1, 2→2, 3→3, 4→4, 5→5, 6→6, 7→7, 9→8; negatives are -1 (rank 1) and -3 (rank 3): W- = 4.
  // Subsets of {1..8} with sum ≤ 4: {}, {1}, {2}, {3}, {4}, {1,2}, {1,3} = 7 of 2^8 → p = 2·7/256.
  const r = wilcoxonSignedRank(a8, b8);
  assert.deepEqual([r.n, r.zeros, r.wPlus, r.wMinus, r.statistic, r.method], [8, 0, 32, 4, 4, 'exact']);
  assert.equal(r.p, 14 / 256);
  // all 6 differences positive: only the empty subset has W- ≤ 0 → p = 2/64 (scipy: 0.03125)
  assert.equal(wilcoxonSignedRank([2, 3, 4, 5, 6, 7], [1, 1, 1, 1, 1, 1]).p, 2 / 64);
});

test('wilcoxon exact with ties and zeros equals brute-force enumeration of the sign flips', () => {
  // d = [1, -1, 2, 2, -2, 0, 3, 0, -4, 5, 1]: zeros dropped (n = 9); |d| mid-ranks 1,1,1 → 2; 2,2,2 → 5; 3 → 7; 4 → 8; 5 → 9
  const d = [1, -1, 2, 2, -2, 0, 3, 0, -4, 5, 1];
  const r = wilcoxonSignedRank(d, d.map(() => 0));
  assert.equal(r.n, 9);
  assert.equal(r.zeros, 2);
  assert.equal(r.wMinus, 2 + 5 + 8);
  assert.equal(r.wPlus, 2 + 5 + 5 + 7 + 9 + 2);
  const ranks = [2, 2, 5, 5, 5, 7, 8, 9, 2];
  let below = 0;
  for (let mask = 0; mask < 1 << 9; mask++) {
    let w = 0;
    for (let i = 0; i < 9; i++) if (mask & (1 << i)) w += ranks[i];
    if (w <= r.statistic) below++;
  }
  assert.equal(r.p, Math.min(1, (2 * below) / 512));
  assert.deepEqual(wilcoxonSignedRank([1, 2], [1, 2]), { n: 0, zeros: 2, wPlus: 0, wMinus: 0, statistic: 0, method: 'exact', p: 1 });
});

// n = 40 integer pairs, 5 zero differences (n = 35 > 25) with many ties (numpy default_rng(3)).
const X40 = [9, 1, 2, 2, 2, 9, 10, 6, 0, 1, 3, 5, 7, 5, 3, 1, 8, 8, 0, 1, 5, 4, 10, 6, 5, 5, 7, 7, 2, 8, 9, 11, 9, 3, 3, 7, 7, 8, 10, 3];
const Y40 = [10, 0, 0, 10, 10, 3, 1, 3, 0, 9, 7, 6, 2, 5, 2, 8, 5, 0, 2, 7, 5, 4, 2, 0, 6, 7, 5, 10, 10, 2, 6, 6, 2, 3, 5, 8, 3, 7, 7, 2];

test('wilcoxon normal approximation, n = 35 with ties: scipy wilcoxon(method="approx", correction=True)', () => {
  const r = wilcoxonSignedRank(X40, Y40);
  assert.equal(r.method, 'normal');
  assert.equal(r.n, 35);
  assert.equal(r.zeros, 5);
  assert.equal(r.statistic, 264.5);
  close(r.z!, -0.821329263638663, 1e-12, 'z');
  close(r.p, 0.41145874329750154, 1e-11, 'p');
});

test('compareRuns: same users required, both tests reported', () => {
  const users = Int32Array.from(X40.keys());
  const runA = { users, 'recall@20': Float64Array.from(X40) } as PerUserMetrics;
  const runB = { users, 'recall@20': Float64Array.from(Y40) } as PerUserMetrics;
  const c = compareRuns(runA, runB, 'recall@20');
  assert.equal(c.n, 40);
  close(c.meanA - c.meanB, c.tTest.meanDiff, 1e-12, 'mean difference');
  close(c.wilcoxon.p, 0.41145874329750154, 1e-11, 'wilcoxon p');
  const shifted = { users: users.map((u) => u + 1), 'recall@20': runB['recall@20'] } as PerUserMetrics;
  assert.throws(() => compareRuns(runA, shifted, 'recall@20'), /runs differ at row 0: user 0 vs 1/);
  assert.throws(() => compareRuns(runA, runB, 'ndcg@20'), /ndcg@20 missing from run A/);
});
