/**
 * `npm run bench -- eval-popularity [dataDir…] [--reps N] [--chunk N]`: full-ranking test evaluation (rlmrec protocol) of the
 * popularity scorer on rlmrec_amazon_book and rlmrec_yelp (default ../shared/data/…): R/N@{5,10,20}, and wall
 * time of scoring + ranking every test user split into scoring / top-K / metrics (medians of N runs, default 5,
 * after a warm-up). Also compares the bounded-heap top-K against sorting every candidate, on the popularity
 * rows and on random Float32 rows (a trained model's scores have few ties, unlike popularity counts).
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { loadDataset } from '../src/data/load.js';
import type { Csr } from '../src/data/csr.js';
import { evaluate } from '../src/eval/full-ranking.js';
import type { EvalResult } from '../src/eval/full-ranking.js';
import { createPopularityScorer } from '../src/models/base/popularity.js';
import { createTopKWork, topKInto } from '../src/tensor/topk.js';
import { createRng } from '../src/util/rng.js';
import { median } from './lib/common.js';

const DEFAULT_DIRS = ['rlmrec_amazon_book', 'rlmrec_yelp'].map((d) => resolve(import.meta.dirname, '..', '..', 'shared', 'data', d));

function parseArgs(args: string[]): { dirs: string[]; reps: number; chunk: number } {
  const dirs: string[] = [];
  let reps = 5, chunk = 1024;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--reps') reps = Number(args[++i]);
    else if (args[i] === '--chunk') chunk = Number(args[++i]);
    else if (args[i].startsWith('--')) throw new Error(`unknown option ${args[i]} (use --reps N, --chunk N)`);
    else dirs.push(resolve(args[i]));
  }
  if (!(Number.isInteger(reps) && reps > 0) || !(Number.isInteger(chunk) && chunk > 0)) throw new Error('--reps and --chunk take positive integers');
  return { dirs: dirs.length ? dirs : DEFAULT_DIRS.filter((d) => existsSync(d)), reps, chunk };
}

/** Sort-every-candidate baseline (what a naive evaluator does): same order as topK. */
function sortTopK(scores: Float32Array, off: number, n: number, exclude: Int32Array, ids: Int32Array): void {
  let m = 0, e = 0;
  for (let i = 0; i < n; i++) {
    if (e < exclude.length && exclude[e] === i) { e++; continue; }
    ids[m++] = i;
  }
  const cand = ids.subarray(0, m);
  cand.sort((a, b) => scores[off + b] - scores[off + a] || a - b);
}

/** Rows are reused: user b ranks row b % ROWS of a ROWS × n score buffer. */
const ROWS = 1024;

/**
 * Median ms (after a warm-up) for the bounded-heap top-K over every test user, and for sorting every
 * candidate over the first `sortSample` users scaled to all (sorting is ~100× slower; timing it on every
 * user 5 times would take minutes). Checks that both variants return the same list on the sampled users.
 */
function compareTopK(rows: Float32Array, users: Int32Array, train: Csr, n: number, k: number, reps: number, sortSample: number): { heap: number; sort: number } {
  const work = createTopKWork(k), out = new Int32Array(k), ids = new Int32Array(n);
  const mask = (u: number) => train.indices.subarray(train.indptr[u], train.indptr[u + 1]);
  const heapT: number[] = [], sortT: number[] = [];
  const sample = users.subarray(0, Math.min(sortSample, users.length));
  for (let r = 0; r <= reps; r++) {
    let t = performance.now();
    for (let b = 0; b < users.length; b++) topKInto(rows, (b % ROWS) * n, n, mask(users[b]), work, out);
    if (r > 0) heapT.push(performance.now() - t);
    t = performance.now();
    for (let b = 0; b < sample.length; b++) sortTopK(rows, (b % ROWS) * n, n, mask(sample[b]), ids);
    if (r > 0) sortT.push(performance.now() - t);
  }
  for (let b = 0; b < sample.length; b++) {
    const m = topKInto(rows, (b % ROWS) * n, n, mask(sample[b]), work, out);
    sortTopK(rows, (b % ROWS) * n, n, mask(sample[b]), ids);
    for (let i = 0; i < m; i++) if (out[i] !== ids[i]) throw new Error(`top-K variants disagree for user ${sample[b]} at rank ${i}`);
  }
  return { heap: median(heapT), sort: (median(sortT) * users.length) / sample.length };
}

export async function run(args: string[]): Promise<void> {
  const { dirs, reps, chunk } = parseArgs(args);
  if (dirs.length === 0) {
    console.log('no data folders found (pass dataset folders; default ../shared/data/rlmrec_amazon_book and rlmrec_yelp)');
    return;
  }
  console.log(`eval-popularity: rlmrec protocol, test split, chunkUsers ${chunk}, medians of ${reps} runs after 1 warm-up`);
  for (const dir of dirs) {
    const ds = await loadDataset(dir, { texts: false });
    const scorer = createPopularityScorer(ds.train);
    let first: EvalResult | undefined;
    const total: number[] = [], score: number[] = [], topk: number[] = [], metr: number[] = [];
    for (let r = 0; r <= reps; r++) {
      const res = await evaluate(scorer, { train: ds.train, targets: ds.test, chunkUsers: chunk, ks: [5, 10, 20] });
      if (!first) first = res;
      else if (JSON.stringify(res.mean) !== JSON.stringify(first.mean)) throw new Error('results changed between repeats');
      if (r === 0) continue;
      total.push(res.timings.totalMs); score.push(res.timings.scoreMs); topk.push(res.timings.topkMs); metr.push(res.timings.metricsMs);
    }
    const m = first!.mean;
    const f = (x: number) => x.toFixed(6);
    console.log(`\n${basename(dir)}: ${ds.numUsers} users × ${ds.numItems} items, ${first!.numUsers} test users, masked targets ${first!.maskedTargets}`);
    console.log(`  R@5 ${f(m['recall@5'])}  R@10 ${f(m['recall@10'])}  R@20 ${f(m['recall@20'])}`);
    console.log(`  N@5 ${f(m['ndcg@5'])}  N@10 ${f(m['ndcg@10'])}  N@20 ${f(m['ndcg@20'])}`);
    console.log(`  wall ms (median): total ${median(total).toFixed(1)} = scoring ${median(score).toFixed(1)} + top-K ${median(topk).toFixed(1)} + metrics ${median(metr).toFixed(1)} (+ overhead)`);

    // top-K variants on reused rows: popularity rows (all rows equal, many ties), then random normal rows
    const n = ds.numItems, users = first!.perUser.users;
    const rows = new Float32Array(Math.min(ROWS, users.length) * n);
    scorer.scoreBatch(users.subarray(0, rows.length / n), rows);
    const pop = compareTopK(rows, users, ds.train, n, 20, reps, 256);
    const rng = createRng(1);
    for (let i = 0; i < rows.length; i++) rows[i] = rng.normal();
    const rnd = compareTopK(rows, users, ds.train, n, 20, reps, 256);
    console.log(`  top-20 of all ${users.length} test users, ms (median; sort timed on 256 users and scaled):`);
    console.log(`    popularity rows: heap ${pop.heap.toFixed(1)} vs sort-all ${pop.sort.toFixed(0)};  random rows: heap ${rnd.heap.toFixed(1)} vs sort-all ${rnd.sort.toFixed(0)}`);
  }
}
