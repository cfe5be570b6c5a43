/**
 * LightGCN (RLMRec variant) epoch time (and process CPU per epoch, all threads) and full-ranking evaluation
 * time of all test users, per dataset and thread count, plus peak RSS:
 * `npm run bench -- train [--data dir,dir] [--threads 1,2] [--epochs 3] [--reps 3]`.
 * Defaults: ../shared/data/rlmrec_amazon_book and rlmrec_yelp. Each cell is the median over epochs (after
 * training from the same init) or over evaluation repeats. Results are bit-identical across thread counts
 * (checked here: the parameters after the timed epochs must match), so only time differs. `params` is the
 * first 8 hex digits of the SHA-256 of the parameter bytes after training: speed-ups must leave it unchanged
 * (the LightGCN hash after 2 epochs on Amazon-book is 14457e93).
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDataset } from '../src/data/load.js';
import { evaluate } from '../src/eval/full-ranking.js';
import { createRunKernels } from '../src/experiments/kernels.js';
import { createModel } from '../src/models/registry.js';
import { trainModel } from '../src/train/trainer.js';
import { sha256 } from '../src/util/hash.js';
import { createRng } from '../src/util/rng.js';
import { loadAverage, median, option } from './lib/common.js';

const paramHash = (arrays: Float32Array[]): string =>
  sha256(Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)))).slice(0, 8);

export async function run(args: string[]): Promise<void> {
  const root = resolve(import.meta.dirname, '..', '..', 'shared', 'data');
  const dirs = option(args, '--data')?.split(',') ?? ['rlmrec_amazon_book', 'rlmrec_yelp'].map((d) => join(root, d)).filter(existsSync);
  const threads = (option(args, '--threads') ?? '1,2').split(',').map(Number);
  const epochs = Number(option(args, '--epochs') ?? 3), reps = Number(option(args, '--reps') ?? 3);
  if (dirs.length === 0) throw new Error('no dataset: pass --data <dir>[,<dir>]');
  console.log(`bench train: LightGCN (d=32, 3 layers, keep 0.8), batch 4096; ${epochs} epochs and ${reps} eval repeats per cell; ` +
    `${availableParallelism()} CPUs, load average ${loadAverage()}`);
  console.log('dataset              threads kernels        epoch s (median)  cpu s/epoch  eval s (median)  score / top-K s   test users  params');
  for (const dir of dirs) {
    const ds = await loadDataset(dir, { texts: false });
    let reference: Float32Array | undefined;
    for (const t of threads) {
      const { kernels, close } = await createRunKernels(t);
      try {
        const model = await createModel({ name: 'lightgcn' }, { train: ds.train, kernels, rng: createRng(2023).derive('init') });
        const epochMs: number[] = [];
        const cpu0 = process.cpuUsage();
        await trainModel({
          model, train: ds.train, seed: 2023, kernels,
          config: { epochs, batchSize: 4096, lr: 1e-3, earlyStop: { metric: 'recall@20', every: 3, patience: 5 } },
          onProgress: (e) => { if (e.type === 'epoch') epochMs.push(e.epochMs); },
        });
        // Process CPU (all threads) per epoch: steadier than wall time when other jobs share the cores.
        const cpu = process.cpuUsage(cpu0), cpuPerEpoch = (cpu.user + cpu.system) / 1e6 / Math.max(1, epochMs.length);
        const params = model.params[0].value.data;
        if (reference && !params.every((x, i) => x === reference![i])) throw new Error(`${t} threads: parameters differ from ${threads[0]} thread(s)`);
        reference ??= params.slice();
        const scorer = model.freeze();
        const evals = [];
        for (let r = 0; r < reps; r++) evals.push((await evaluate(scorer, { train: ds.train, targets: ds.test, kernels })).timings);
        const users = (await evaluate(scorer, { train: ds.train, targets: ds.test, ks: [20], metrics: ['recall'], kernels })).numUsers;
        console.log(`${ds.name.padEnd(20)} ${String(t).padStart(7)} ${kernels.name.padEnd(14)} ${(median(epochMs) / 1000).toFixed(3).padStart(16)} ${cpuPerEpoch.toFixed(3).padStart(12)}` +
          ` ${(median(evals.map((e) => e.totalMs)) / 1000).toFixed(3).padStart(16)}` +
          `  ${(median(evals.map((e) => e.scoreMs)) / 1000).toFixed(2)} / ${(median(evals.map((e) => e.topkMs)) / 1000).toFixed(2)}`.padEnd(18) +
          ` ${String(users).padStart(10)}  ${paramHash(model.params.map((p) => p.value.data))}`);
      } finally {
        await close();
      }
    }
  }
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; load average now ${loadAverage()}`);
}
