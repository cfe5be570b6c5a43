import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { csrFromPairs } from '../../src/data/csr.js';
import type { Csr } from '../../src/data/csr.js';
import { readPairsTsv } from '../../src/data/readers/tsv.js';
import { evaluate } from '../../src/eval/full-ranking.js';
import type { Scorer } from '../../src/models/types.js';
import { createPopularityScorer } from '../../src/models/base/popularity.js';
import { createWorkerKernels } from '../../src/tensor/kernels/worker-kernels.js';

const close = (a: number, b: number, msg: string) => assert.ok(Math.abs(a - b) < 1e-12, `${msg}: ${a} != ${b}`);

function csr(rows: number, cols: number, lists: number[][]): Csr {
  const r: number[] = [], c: number[] = [];
  lists.forEach((l, u) => l.forEach((i) => { r.push(u); c.push(i); }));
  return csrFromPairs(rows, cols, Int32Array.from(r), Int32Array.from(c));
}

/** A Scorer over a fixed users × items table. */
function tableScorer(table: number[][]): Scorer {
  const numItems = table[0].length;
  return {
    numItems,
    scoreBatch(users, out) {
      users.forEach((u, b) => out.set(table[u], b * numItems));
    },
  };
}

const L3 = 1 / Math.log2(3), L6 = 1 / Math.log2(6);

// Toy case, 4 users × 6 items, ks [1, 3, 10] (10 > 6 items).
// u0: train {0}, test {2,5}, scores [.9 .1 .8 .3 .3 .7] → item 0 masked; 3 and 4 tie, 3 first
//     ranked [2,5,3,4,1], rel [1,1,0,0,0]
// u1: no train, test {4}, all scores equal → ranked by id [0..5], rel [0,0,0,0,1,0]
// u2: train {1,3}, no test → not evaluated
// u3: train {5}, valid {1} (NOT masked), test {0,3,4}, scores [.2 .6 .1 .4 0 1]
//     → 5 masked, valid item 1 stays and ranks first: ranked [1,3,0,2,4], rel [0,1,1,0,1]
const toyTable = [
  [0.9, 0.1, 0.8, 0.3, 0.3, 0.7],
  [0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
  [1, 2, 3, 4, 5, 6],
  [0.2, 0.6, 0.1, 0.4, 0.0, 1.0],
];
const toyTrain = csr(4, 6, [[0], [], [1, 3], [5]]);
const toyTest = csr(4, 6, [[2, 5], [4], [], [0, 3, 4]]);
const IDCG3 = 1 + L3 + 0.5; // three ideal hits

test('evaluate: 3 evaluated users, masking, ties, K > items, hand-computed values', async () => {
  const res = await evaluate(tableScorer(toyTable), { train: toyTrain, targets: toyTest, ks: [1, 3, 10] });
  assert.equal(res.protocol.name, 'rlmrec');
  assert.deepEqual(res.protocol.mask, ['train']);
  assert.equal(res.numUsers, 3);
  assert.equal(res.maskedTargets, 0);
  assert.deepEqual([...res.perUser.users], [0, 1, 3]);
  const expect: Record<string, [number, number, number]> = {
    'recall@1': [1 / 2, 0, 0],
    'recall@3': [1, 0, 2 / 3],
    'recall@10': [1, 1, 1],
    'ndcg@1': [1, 0, 0],
    'ndcg@3': [1, 0, (L3 + 0.5) / IDCG3],
    'ndcg@10': [1, L6, (L3 + 0.5 + L6) / IDCG3], // u1: one target at rank 5, IDCG = 1
    'precision@3': [2 / 3, 0, 2 / 3],
    'precision@10': [2 / 10, 1 / 10, 3 / 10], // divided by K even though only 5-6 candidates
    'hit@1': [1, 0, 0],
    'mrr@3': [1, 0, 1 / 2],
    'mrr@10': [1, 1 / 5, 1 / 2],
  };
  for (const [key, vals] of Object.entries(expect)) {
    const got = res.perUser[key as 'recall@1'];
    vals.forEach((v, i) => close(got[i], v, `${key} user ${i}`));
    close(res.mean[key as 'recall@1'], (vals[0] + vals[1] + vals[2]) / 3, `mean ${key}`);
  }
});

test('evaluate: masking valid items too would change the result (only train is masked)', async () => {
  // Same as above but item 1 moved into u3's train: then the ranking becomes [3,0,2,4] and recall@1 = 1/3.
  const train = csr(4, 6, [[0], [], [1, 3], [1, 5]]);
  const res = await evaluate(tableScorer(toyTable), { train, targets: toyTest, ks: [1] });
  close(res.perUser['recall@1'][2], 1 / 3, 'u3 recall@1');
});

test('evaluate: targets that are training items are counted as masked and never hit', async () => {
  const targets = csr(4, 6, [[0, 2], [4], [], [5]]); // u0's item 0 and u3's item 5 are train items
  const res = await evaluate(tableScorer(toyTable), { train: toyTrain, targets, ks: [10] });
  assert.equal(res.maskedTargets, 2);
  close(res.perUser['recall@10'][0], 1 / 2, 'u0 recall@10');
  assert.equal(res.perUser['recall@10'][2], 0);
});

test('evaluate: rejects mismatched shapes, bad K, unknown protocol; honours abort', async () => {
  const s = tableScorer(toyTable);
  await assert.rejects(evaluate(s, { train: csr(4, 5, []), targets: toyTest }), /item counts differ/);
  await assert.rejects(evaluate(s, { train: toyTrain, targets: toyTest, ks: [5, 5] }), /duplicate K/);
  await assert.rejects(evaluate(s, { train: toyTrain, targets: toyTest, ks: [0] }), /positive integer/);
  await assert.rejects(
    evaluate(s, { train: toyTrain, targets: toyTest, protocol: 'leave-one-out' as 'rlmrec' }),
    /unknown evaluation protocol "leave-one-out"; valid: rlmrec/,
  );
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(evaluate(s, { train: toyTrain, targets: toyTest, signal: ac.signal }), { code: 'ABORTED' });
});

async function loadFixture(): Promise<{ train: Csr; valid: Csr; test: Csr }> {
  const dir = join(import.meta.dirname, '..', 'fixtures', 'tiny_amazon_book');
  const splits = await Promise.all(['train', 'valid', 'test'].map((s) => readPairsTsv(join(dir, `${s}.tsv`))));
  const users = 1 + Math.max(...splits.map((p) => Math.max(...p.users)));
  const items = 1 + Math.max(...splits.map((p) => Math.max(...p.items)));
  const [train, valid, test] = splits.map((p) => csrFromPairs(users, items, p.users, p.items));
  return { train, valid, test };
}

test('evaluate: chunk size 1, 7, 1024 gives bit-identical per-user values and means (fixture)', async () => {
  const { train, test: targets } = await loadFixture();
  // Scores with many ties and a few NaN, deterministic in (user, item).
  const scorer = scorerOf(train.cols, (u, i) => {
    const h = Math.imul(u * 7919 + i, 2654435761) >>> 0;
    return h % 97 === 0 ? NaN : (h % 13) / 13 + 1e-3 * ((u + i) % 2);
  });
  const batches: number[] = [];
  const progress: number[] = [];
  const runs = [];
  for (const chunkUsers of [1, 7, 1024]) {
    runs.push(await evaluate(scorer, { train, targets, chunkUsers, onProgress: (p) => progress.push(p.done) }));
  }
  assert.equal(runs[0].numUsers, 40);
  assert.equal(progress.filter((d) => d === 40).length, 3);
  for (const r of runs.slice(1)) {
    assert.deepEqual(r.perUser, runs[0].perUser);
    assert.deepEqual(r.mean, runs[0].mean);
  }
  // and the popularity scorer, whose rows are identical, with the scorer seeing chunks of 7
  const pop = createPopularityScorer(train);
  const p7 = await evaluate(recordBatches(pop, batches), { train, targets, chunkUsers: 7 });
  const p1024 = await evaluate(pop, { train, targets, chunkUsers: 1024 });
  assert.deepEqual(batches, [7, 7, 7, 7, 7, 5]);
  assert.deepEqual(p7.perUser, p1024.perUser);
  assert.ok(p7.mean['recall@20'] > 0);
});

/** A scorer from a deterministic score function of (user, item). */
function scorerOf(numItems: number, score: (u: number, i: number) => number): Scorer {
  return {
    numItems,
    scoreBatch(users, out) {
      users.forEach((u, b) => {
        for (let i = 0; i < numItems; i++) out[b * numItems + i] = score(u, i);
      });
    },
  };
}

/** Wraps a scorer to record the batch sizes the evaluator asks for. */
function recordBatches(inner: Scorer, batches: number[]): Scorer {
  return { numItems: inner.numItems, scoreBatch: (u, out) => { batches.push(u.length); inner.scoreBatch(u, out); } };
}

test('evaluate: topKRows on the worker pool gives bit-identical results to the calling thread (fixture)', async () => {
  const { train, test: targets } = await loadFixture();
  const scorer = scorerOf(train.cols, (u, i) => ((Math.imul(u * 31 + i, 2654435761) >>> 0) % 29) / 29);
  const pool = await createWorkerKernels({ threads: 2, minParallelWork: 0 });
  try {
    const base = await evaluate(scorer, { train, targets, chunkUsers: 16 });
    const threaded = await evaluate(scorer, { train, targets, chunkUsers: 16, kernels: pool });
    assert.deepEqual(threaded.perUser, base.perUser);
    assert.deepEqual(threaded.mean, base.mean);
    assert.ok(base.mean['recall@20'] > 0);
  } finally {
    await pool.close();
  }
});
