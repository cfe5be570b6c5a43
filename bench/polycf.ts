/**
 * PolyCF training-step and full-ranking evaluation cost: `npm run bench -- polycf [--data dir] [--steps 5] [--threads 1] [--profile] [--eval-users n]`.
 * Builds the default model (γ ∈ {0.3, 0.5, 0.7}, K = 3, low-pass rank 256; the build time is printed), trains
 * it over the user batches of one sampled epoch (512 users per step) and prints the median wall and CPU ms
 * per step after one warm-up step, and the implied s/epoch. Then it times a full-ranking evaluation on the
 * valid split (scoring in chunks of 128 users, as training runs do); `--eval-users n` scores only the first
 * n users with a target and extrapolates. `--profile` adds the time in each kernel (wall ms per step,
 * medians) and in the JS between kernels. Timings are noisy on a shared machine.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDataset } from '../src/data/load.js';
import { sampleEpochTriples } from '../src/data/negatives.js';
import { evaluate } from '../src/eval/full-ranking.js';
import { createRunKernels } from '../src/experiments/kernels.js';
import { createModel } from '../src/models/registry.js';
import { createAdam } from '../src/tensor/adam.js';
import { createTape } from '../src/tensor/tape.js';
import { userBatches } from '../src/train/batches.js';
import { createRng } from '../src/util/rng.js';
import type { Csr } from '../src/data/csr.js';
import { loadAverage, option, profileSummary, stepSummary, timed, timeSteps } from './lib/common.js';

/** The first n rows of `targets` that have a target (the others emptied). */
function firstUsers(targets: Csr, n: number): Csr {
  const indptr = new Int32Array(targets.rows + 1);
  let kept = 0;
  for (let u = 0; u < targets.rows; u++) {
    const len = targets.indptr[u + 1] - targets.indptr[u];
    const keep = len > 0 && kept < n;
    if (keep) kept++;
    indptr[u + 1] = indptr[u] + (keep ? len : 0);
  }
  const indices = new Int32Array(indptr[targets.rows]);
  for (let u = 0; u < targets.rows; u++) indices.set(targets.indices.subarray(targets.indptr[u], targets.indptr[u] + indptr[u + 1] - indptr[u]), indptr[u]);
  return { rows: targets.rows, cols: targets.cols, indptr, indices };
}

export async function run(args: string[]): Promise<void> {
  const dir = option(args, '--data') ?? resolve(import.meta.dirname, '..', '..', 'shared', 'data', 'rlmrec_amazon_book');
  if (!existsSync(join(dir, 'train.tsv'))) throw new Error(`no dataset at ${dir}: pass --data <dir>`);
  const steps = Number(option(args, '--steps') ?? 5), threads = Number(option(args, '--threads') ?? 1);
  const evalUsers = option(args, '--eval-users') === undefined ? Infinity : Number(option(args, '--eval-users'));
  const profile = args.includes('--profile');
  const ds = await loadDataset(dir, { texts: false });
  const run = await createRunKernels(threads);
  const kernelMs = new Map<string, number>();
  const kernels = profile ? timed(run.kernels, kernelMs) : run.kernels;
  try {
    const tb = performance.now();
    const model = await createModel({ name: 'polycf' }, { train: ds.train, kernels, rng: createRng(2023).derive('init') });
    const buildMs = performance.now() - tb;
    const adam = createAdam(model.params, { lr: 1e-3 }, kernels), tape = createTape(kernels);
    const batches = userBatches(sampleEpochTriples(ds.train, createRng(1)), ds.numUsers, model.usersPerBatch!, createRng(2));
    console.log(`bench polycf: ${ds.name} (${ds.numUsers} users, ${ds.numItems} items, ${ds.train.indptr[ds.numUsers]} train), ` +
      `${model.usersPerBatch} users/step (${batches.length} steps/epoch), ${run.kernels.name} kernels, ${threads} thread(s); ` +
      `${steps} timed steps after 1 warm-up; ${availableParallelism()} CPUs, load average ${loadAverage()}`);
    console.log(`model build (Gram filters, λ_max, low-pass SVD) ${(buildMs / 1000).toFixed(1)} s`);
    const t = timeSteps({ model, tape, adam, batches, steps, kernelMs });
    console.log(stepSummary(t, batches.length));
    if (profile) console.log(profileSummary(t));
    kernelMs.clear();
    const targets = Number.isFinite(evalUsers) ? firstUsers(ds.valid, evalUsers) : ds.valid;
    const res = await evaluate(model.freeze(), { train: ds.train, targets, kernels: run.kernels });
    let all = 0;
    for (let u = 0; u < ds.numUsers; u++) if (ds.valid.indptr[u + 1] > ds.valid.indptr[u]) all++;
    const scale = all / res.numUsers;
    console.log(`eval (valid, ${res.numUsers} of ${all} users${scale > 1 ? ', extrapolated to all' : ''}): ` +
      `${((res.timings.totalMs * scale) / 1000).toFixed(1)} s (scoring ${((res.timings.scoreMs * scale) / 1000).toFixed(1)} s, ` +
      `top-K ${((res.timings.topkMs * scale) / 1000).toFixed(1)} s); recall@20 ${res.mean['recall@20'].toFixed(4)} on these users`);
    if (profile) {
      const rows = [...kernelMs].sort((a, b) => b[1] - a[1]);
      console.log(`eval profile (wall ms): ${rows.filter(([, v]) => v >= 1).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
    }
    console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; load average after: ${loadAverage()}`);
  } finally {
    await run.close();
  }
}
