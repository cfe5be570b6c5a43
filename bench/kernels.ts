/**
 * Numerical core: GEMM GFLOP/s, the row softmax, SpMM, InfoNCE and a LightGCN training step at 1 and 2 threads:
 * `npm run bench -- kernels [dataDir] [--reps N] [--threads 1,2]`. dataDir defaults to
 * ../shared/data/rlmrec_amazon_book (needs train.tsv: user<TAB>item). Every number is the median of N runs
 * (default 5) after one warm-up. The machine may be shared with other jobs: compare within one run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { csrFromPairs } from '../src/data/csr.js';
import { createAdam } from '../src/tensor/adam.js';
import * as F from '../src/tensor/fn.js';
import { xavierUniform } from '../src/tensor/init.js';
import { createFastKernels } from '../src/tensor/kernels/fast.js';
import { scalarKernels } from '../src/tensor/kernels/scalar.js';
import type { Kernels } from '../src/tensor/kernels/types.js';
import { createWorkerKernels, type WorkerKernels } from '../src/tensor/kernels/worker-kernels.js';
import { OPS } from '../src/tensor/ops/index.js';
import { combineLayers, createEdgeDropper, type Graph, propagate, splitUsersItems } from '../src/models/base/graph.js';
import { bipartiteAdjacency, type SparseMat, sparseNnz } from '../src/tensor/sparse.js';
import { createParam, createTape, zeroGrads } from '../src/tensor/tape.js';
import { sharedF32 } from '../src/tensor/tensor.js';
import { createRng } from '../src/util/rng.js';
import { loadAverage, median } from './lib/common.js';

const GEMM_SHAPES = [
  { name: 'scoring 4096x32 . (9332x32)T', m: 4096, k: 32, n: 9332, transA: false, transB: true },
  { name: 'dense 4096x32 . 32x32', m: 4096, k: 32, n: 32, transA: false, transB: false },
  { name: 'weight grad (4096x32)T . 4096x32', m: 32, k: 4096, n: 32, transA: true, transB: false },
  { name: 'infonce sim 4096x32 . (4096x32)T', m: 4096, k: 32, n: 4096, transA: false, transB: true },
  { name: 'infonce grad 4096x4096 . 4096x32', m: 4096, k: 4096, n: 32, transA: false, transB: false },
  { name: 'infonce grad (4096x4096)T . 4096x32', m: 4096, k: 4096, n: 32, transA: true, transB: false },
];

/** Median wall milliseconds of `reps` calls after one warm-up. */
function time(reps: number, f: () => void): number {
  return timeCpu(reps, f).wall;
}

/**
 * Median wall and CPU milliseconds (CPU of the whole process, all threads). On a busy machine the CPU time
 * is the steadier number for one thread; wall time is what counts with several.
 */
function timeCpu(reps: number, f: () => void): { wall: number; cpu: number } {
  f();
  const wall: number[] = [], cpu: number[] = [];
  for (let r = 0; r < reps; r++) {
    const c = process.cpuUsage(), t = performance.now();
    f();
    wall.push(performance.now() - t);
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const fmt = (x: { wall: number; cpu: number }, digits = 1): string => `${x.wall.toFixed(digits)} ms (cpu ${x.cpu.toFixed(digits)})`;

function rand(n: number, seed: number): Float32Array {
  const rng = createRng(seed), a = sharedF32(n);
  for (let i = 0; i < n; i++) a[i] = rng.next() - 0.5;
  return a;
}

function readTrain(dir: string): { users: number; items: number; r: Int32Array; c: Int32Array } {
  const us: number[] = [], is: number[] = [];
  for (const line of readFileSync(join(dir, 'train.tsv'), 'utf8').split('\n')) {
    if (!line) continue;
    const [u, i] = line.split('\t');
    us.push(Number(u));
    is.push(Number(i));
  }
  return { users: Math.max(...us) + 1, items: Math.max(...is) + 1, r: Int32Array.from(us), c: Int32Array.from(is) };
}

function parseArgs(args: string[]): { dir: string; reps: number; threads: number[] } {
  let dir = resolve(import.meta.dirname, '..', '..', 'shared', 'data', 'rlmrec_amazon_book');
  let reps = 5, threads = [1, 2];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--reps') reps = Number(args[++i]);
    else if (args[i] === '--threads') threads = args[++i].split(',').map(Number);
    else dir = resolve(args[i]);
  }
  return { dir, reps, threads };
}

function benchGemm(tables: [string, Kernels][], reps: number): void {
  console.log('\nGEMM (GFLOP/s = 2·m·k·n / time)');
  console.log(`  ${'shape'.padEnd(38)}${tables.map(([n]) => n.padStart(16)).join('')}`);
  for (const s of GEMM_SHAPES) {
    const a = rand(s.m * s.k, 1), b = rand(s.k * s.n, 2), c = sharedF32(s.m * s.n);
    const cells = tables.map(([, k]) => {
      const ms = time(reps, () => k.gemm(a, b, c, s.m, s.k, s.n, s.transA, s.transB, false));
      return `${((2 * s.m * s.k * s.n) / ms / 1e6).toFixed(2)} (${ms.toFixed(1)}ms)`.padStart(16);
    });
    console.log(`  ${s.name.padEnd(38)}${cells.join('')}`);
  }
}

/** Round trip of one parallel call too small to be worth splitting: the pool's fixed cost per kernel call. */
function benchDispatch(workers: WorkerKernels[], reps: number): void {
  console.log('\nDispatch overhead (an add of 64 floats forced through the pool; µs per call)');
  const a = rand(64, 5), b = rand(64, 6), c = sharedF32(64);
  for (const w of workers) {
    const ms = time(reps, () => {
      for (let i = 0; i < 1000; i++) w.add(a, b, c, 64);
    });
    console.log(`  ${`${w.threads} thread(s)`.padEnd(22)} ${ms.toFixed(1)} µs`);
  }
}

function benchSpmm(adj: SparseMat, tables: [string, Kernels][], reps: number): void {
  const d = 32, x = rand(adj.cols * d, 3), y = sharedF32(adj.rows * d);
  console.log(`\nSpMM: normalised adjacency ${adj.rows}x${adj.cols}, nnz ${sparseNnz(adj)} × ${d} columns`);
  for (const [name, k] of tables) {
    const ms = timeCpu(reps, () => k.spmm(adj, x, y, d, false));
    console.log(`  ${name.padEnd(22)} ${fmt(ms, 2)}  ${((sparseNnz(adj) * d * 2) / ms.wall / 1e6).toFixed(2)} GFLOP/s`);
  }
}

/** The row softmax (JS vs the wasm kernel, bit-identical) at InfoNCE's and the prototype read-out's shapes. */
function benchSoftmax(fast: Kernels, reps: number): void {
  console.log('\nRow softmax (CPU ns per element, median)');
  for (const [rows, cols] of [[1024, 2048], [17000, 32]]) {
    const x = rand(rows * cols, 5), y = new Float32Array(rows * cols), lse = new Float32Array(rows);
    const cells = [['JS', scalarKernels], ['fast (wasm)', fast]].map(([name, k]) => {
      const ms = timeCpu(reps, () => (k as Kernels).softmaxRows(x, y, lse, rows, cols, 5)).cpu;
      return `${name} ${((ms * 1e6) / (rows * cols)).toFixed(2)}`;
    });
    console.log(`  ${`${rows}x${cols}`.padEnd(22)} ${cells.join('   ')}`);
  }
}

function benchInfoNce(tables: [string, Kernels][], reps: number, candidates: number): void {
  const bs = 4096, d = 32;
  console.log(`\nInfoNCE forward + backward, B=${bs}, d=${d}, ${candidates} candidates`);
  for (const [name, k] of tables) {
    const a = createParam('a', bs, d), b = createParam('b', bs, d), c = createParam('c', candidates, d);
    for (const p of [a, b, c]) p.value.data.set(rand(p.value.data.length, 4));
    const t = createTape(k);
    const ms = timeCpu(reps, () => {
      t.reset();
      const cNode = candidates === bs ? t.param(b) : t.param(c);
      t.backward(t.run(OPS.infoNce, [t.param(a), t.param(b), cNode], { temperature: 0.2, eps: 1e-8 }));
    });
    console.log(`  ${name.padEnd(22)} ${fmt(ms)}`);
  }
}

/**
 * One LightGCN training step as the RLMRec variant does it (edge dropout 0.8 with its transpose, 3 layers of
 * full-graph propagation, sum of layers, user/item row views, BPR on a 4096 batch, L2 over all parameters,
 * Adam), built from the same graph.ts pieces as the model, timed alone and × batches per epoch. A proxy for
 * the trainer's epoch: no negative sampling, no data loading.
 */
function benchStep(train: ReturnType<typeof readTrain>, adj: SparseMat, tables: [string, Kernels][], reps: number): void {
  const { users, items } = train, d = 32, batch = 4096, steps = Math.ceil(train.r.length / batch);
  console.log(`\nLightGCN step (dropout + 3 layers + BPR + L2 + Adam), ${users + items} nodes; epoch proxy = step × ${steps}`);
  const graph = { numUsers: users, numItems: items } as Graph;
  for (const [name, k] of tables) {
    const rng = createRng(2023);
    const emb = createParam('emb', users + items, d);
    xavierUniform(emb.value, rng.derive('emb'));
    const adam = createAdam([emb], { lr: 1e-3 }, k);
    const t = createTape(k);
    const drop = createEdgeDropper(adj, 0.8, k);
    const b = Int32Array.from({ length: batch }, () => rng.int(users));
    const p = Int32Array.from({ length: batch }, () => rng.int(items));
    const q = Int32Array.from({ length: batch }, () => rng.int(items));
    const parts = { drop: [] as number[], step: [] as number[] };
    const step = (): void => {
      const t0 = performance.now();
      const op = drop(rng);
      const t1 = performance.now();
      t.reset();
      zeroGrads([emb]);
      const layers = propagate(t, op, t.param(emb), 3);
      const e = splitUsersItems(t, graph, combineLayers(t, layers, 'sum'));
      const u = F.gatherRows(t, e.users, b);
      const bpr = F.bprLoss(t, u, F.gatherRows(t, e.items, p), F.gatherRows(t, e.items, q));
      t.backward(F.add(t, bpr, F.scale(t, F.sumSquares(t, t.param(emb)), 1e-6)));
      adam.step();
      parts.drop.push(t1 - t0);
      parts.step.push(performance.now() - t0);
    };
    const ms = timeCpu(reps, step);
    console.log(`  ${name.padEnd(22)} ${fmt(ms)} per step (dropout ${median(parts.drop).toFixed(1)} ms) → epoch ≈ ${((ms.wall * steps) / 1000).toFixed(2)} s`);
  }
}

export async function run(args: string[]): Promise<void> {
  const { dir, reps, threads } = parseArgs(args);
  console.log(`bench kernels: reps ${reps}, load average ${loadAverage()} (shared machine: timings are noisy)`);
  const fast = await createFastKernels();
  const workers: WorkerKernels[] = [];
  for (const th of threads) workers.push(await createWorkerKernels({ threads: th }));
  const forced: WorkerKernels[] = [];
  for (const th of threads) forced.push(await createWorkerKernels({ threads: th, minParallelWork: 0 }));
  try {
    const tables: [string, Kernels][] = [
      ['scalar', scalarKernels],
      [`fast (${fast.gemmKind} gemm)`, fast],
      ...workers.map((w): [string, Kernels] => [`${w.threads} thread(s)`, w]),
    ];
    benchDispatch(forced, reps);
    benchGemm(tables, reps);
    benchSoftmax(fast, reps);
    benchInfoNce(tables.slice(1), reps, 4096);
    benchInfoNce(tables.slice(1), Math.max(1, Math.min(reps, 3)), 11000);
    if (!existsSync(join(dir, 'train.tsv'))) {
      console.log(`\n(no ${join(dir, 'train.tsv')}: SpMM and LightGCN step skipped; pass a data folder)`);
      return;
    }
    const train = readTrain(dir);
    const adj = bipartiteAdjacency(csrFromPairs(train.users, train.items, train.r, train.c));
    const sparseTables = tables.filter(([n]) => n !== `fast (${fast.gemmKind} gemm)`);
    benchSpmm(adj, sparseTables, reps);
    benchStep(train, adj, sparseTables.slice(1), reps);
  } finally {
    for (const w of [...workers, ...forced]) await w.close();
  }
}
