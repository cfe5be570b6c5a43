/**
 * `npm run bench negatives [dataDir] [--reps N]`: milliseconds to sample one epoch of BPR triples from a
 * train.tsv (default ../shared/data/rlmrec_amazon_book): the sampler in src/data/negatives.ts (byte-mask
 * rejection, complement rank for users with more than half the items) against exact complement rank for
 * every user and rejection with hasEntry in shuffled order. Medians of N runs (default 15) after a warm-up.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { csrFromPairs, hasEntry, type Csr } from '../src/data/csr.js';
import { kthMissing, sampleEpochTriples, type Triples } from '../src/data/negatives.js';
import { readPairsTsv } from '../src/data/readers/tsv.js';
import { createRng, type Rng } from '../src/util/rng.js';

/** Rejection with hasEntry, in shuffled order (random access into rows). */
function rejectionShuffled(train: Csr, rng: Rng): Triples {
  const n = train.indptr[train.rows];
  const userOf = new Int32Array(n);
  for (let u = 0; u < train.rows; u++) userOf.fill(u, train.indptr[u], train.indptr[u + 1]);
  const perm = new Int32Array(n);
  for (let k = 0; k < n; k++) perm[k] = k;
  for (let k = n - 1; k > 0; k--) { const j = rng.int(k + 1); const t = perm[k]; perm[k] = perm[j]; perm[j] = t; }
  const users = new Int32Array(n), pos = new Int32Array(n), neg = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const e = perm[k], u = userOf[e];
    let j: number;
    do j = rng.int(train.cols); while (hasEntry(train, u, j));
    users[k] = u; pos[k] = train.indices[e]; neg[k] = j;
  }
  return { users, pos, neg };
}

/** Exact complement rank for every user (one draw + a binary search), row by row, then permuted. */
function complementRank(train: Csr, rng: Rng): Triples {
  const n = train.indptr[train.rows];
  const negBy = new Int32Array(n), userOf = new Int32Array(n);
  for (let u = 0; u < train.rows; u++) {
    const a = train.indptr[u], b = train.indptr[u + 1];
    for (let e = a; e < b; e++) { negBy[e] = kthMissing(train.indices, a, b - a, rng.int(train.cols - (b - a))); userOf[e] = u; }
  }
  const perm = new Int32Array(n);
  for (let k = 0; k < n; k++) perm[k] = k;
  for (let k = n - 1; k > 0; k--) { const j = rng.int(k + 1); const t = perm[k]; perm[k] = perm[j]; perm[j] = t; }
  const users = new Int32Array(n), pos = new Int32Array(n), neg = new Int32Array(n);
  for (let k = 0; k < n; k++) { const e = perm[k]; users[k] = userOf[e]; pos[k] = train.indices[e]; neg[k] = negBy[e]; }
  return { users, pos, neg };
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function run(args: string[]): Promise<void> {
  const repsAt = args.indexOf('--reps');
  const reps = repsAt >= 0 ? Number(args[repsAt + 1]) : 15;
  const positional = args.filter((a, k) => !a.startsWith('--') && args[k - 1] !== '--reps');
  const dir = positional[0] ?? resolve(import.meta.dirname, '..', '..', 'shared', 'data', 'rlmrec_amazon_book');
  if (!existsSync(join(dir, 'train.tsv'))) throw new Error(`${join(dir, 'train.tsv')} not found; pass a data folder`);
  const p = await readPairsTsv(join(dir, 'train.tsv'));
  let rows = 0, cols = 0;
  for (let k = 0; k < p.users.length; k++) { rows = Math.max(rows, p.users[k] + 1); cols = Math.max(cols, p.items[k] + 1); }
  const train = csrFromPairs(rows, cols, p.users, p.items);
  console.log(`${dir}: ${rows} users, ${cols} items, ${p.users.length} train interactions; median of ${reps} runs`);
  const variants: [string, (c: Csr, r: Rng) => Triples][] = [
    ['src: mask rejection + complement rank', sampleEpochTriples],
    ['complement rank for all users', complementRank],
    ['rejection, hasEntry, shuffled order', rejectionShuffled],
  ];
  for (const [name, fn] of variants) {
    const rng = createRng(1);
    fn(train, rng);
    const ms: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      fn(train, rng);
      ms.push(performance.now() - t0);
    }
    console.log(`${name.padEnd(40)} ${median(ms).toFixed(2)} ms`);
  }
}
