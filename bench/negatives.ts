/**
 * `npm run bench negatives [dataDir] [--reps N]`: time to sample one epoch of BPR triples from a train.tsv
 * (default ../shared/data/rlmrec_amazon_book). Variants: the sampler in src/data/negatives.ts (mask rejection
 * or complement rank, fused inside-out shuffle); the same draws followed by a separate permutation pass;
 * complement rank for every user; rejection with hasEntry in shuffled order. Medians of N runs (default 25)
 * after a warm-up, as wall time and as process CPU time (steadier when other processes share the cores).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { csrFromPairs, hasEntry, type Csr } from '../src/data/csr.js';
import { kthMissing, sampleEpochTriples, type Triples } from '../src/data/negatives.js';
import { readPairsTsv } from '../src/data/readers/tsv.js';
import { createRng, type Rng } from '../src/util/rng.js';
import { median, option } from './lib/common.js';

/** Draw negatives row by row with `draw`, then shuffle the triples with a separate permutation. */
function thenPermute(train: Csr, rng: Rng, draw: (u: number, start: number, deg: number, mask: Uint8Array) => number): Triples {
  const n = train.indptr[train.rows];
  const negBy = new Int32Array(n), userOf = new Int32Array(n);
  const mask = new Uint8Array(train.cols);
  for (let u = 0; u < train.rows; u++) {
    const a = train.indptr[u], b = train.indptr[u + 1];
    for (let e = a; e < b; e++) mask[train.indices[e]] = 1;
    for (let e = a; e < b; e++) { negBy[e] = draw(u, a, b - a, mask); userOf[e] = u; }
    for (let e = a; e < b; e++) mask[train.indices[e]] = 0;
  }
  const perm = new Int32Array(n);
  for (let k = 0; k < n; k++) perm[k] = k;
  for (let k = n - 1; k > 0; k--) { const j = rng.int(k + 1); const t = perm[k]; perm[k] = perm[j]; perm[j] = t; }
  const users = new Int32Array(n), pos = new Int32Array(n), neg = new Int32Array(n);
  for (let k = 0; k < n; k++) { const e = perm[k]; users[k] = userOf[e]; pos[k] = train.indices[e]; neg[k] = negBy[e]; }
  return { users, pos, neg };
}

function maskThenPermute(train: Csr, rng: Rng): Triples {
  return thenPermute(train, rng, (_u, _a, _deg, mask) => { let j: number; do j = rng.int(train.cols); while (mask[j] === 1); return j; });
}

function complementThenPermute(train: Csr, rng: Rng): Triples {
  return thenPermute(train, rng, (_u, a, deg) => kthMissing(train.indices, a, deg, rng.int(train.cols - deg)));
}

/** Rejection with hasEntry, visiting triples in shuffled order (random access into rows). */
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

export async function run(args: string[]): Promise<void> {
  const reps = Number(option(args, '--reps') ?? 25);
  const positional = args.filter((a, k) => !a.startsWith('--') && args[k - 1] !== '--reps');
  const dir = positional[0] ?? resolve(import.meta.dirname, '..', '..', 'shared', 'data', 'rlmrec_amazon_book');
  if (!existsSync(join(dir, 'train.tsv'))) throw new Error(`${join(dir, 'train.tsv')} not found; pass a data folder`);
  const p = await readPairsTsv(join(dir, 'train.tsv'));
  let rows = 0, cols = 0;
  for (let k = 0; k < p.users.length; k++) { rows = Math.max(rows, p.users[k] + 1); cols = Math.max(cols, p.items[k] + 1); }
  const train = csrFromPairs(rows, cols, p.users, p.items);
  console.log(`${dir}: ${rows} users, ${cols} items, ${p.users.length} train interactions; median of ${reps} runs (wall / CPU ms)`);
  const variants: [string, (c: Csr, r: Rng) => Triples][] = [
    ['src: fused inside-out shuffle', sampleEpochTriples],
    ['mask rejection, then permutation', maskThenPermute],
    ['complement rank, then permutation', complementThenPermute],
    ['rejection with hasEntry, shuffled', rejectionShuffled],
  ];
  for (const [name, fn] of variants) {
    const rng = createRng(1);
    for (let w = 0; w < 3; w++) fn(train, rng);
    const wall: number[] = [], cpu: number[] = [];
    for (let r = 0; r < reps; r++) {
      const c0 = process.cpuUsage(), t0 = performance.now();
      fn(train, rng);
      wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    console.log(`${name.padEnd(36)} ${median(wall).toFixed(2).padStart(7)} / ${median(cpu).toFixed(2).padStart(7)}`);
  }
}
