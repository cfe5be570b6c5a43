/**
 * WeightedGCL training-step cost: `npm run bench -- weightedgcl [--data dir] [--steps 8] [--threads 1] [--profile [--gemm-shapes]]`.
 * Trains the preset model (d = 64, L = 2, CL on the unique batch nodes) from the 2023 init over the batches of
 * one sampled epoch (4096 triples) and prints the median wall ms and CPU ms (all threads) per step after one
 * warm-up step, the implied s/epoch, tape buffers created per step, and the process's peak RSS
 * (process.resourceUsage().maxRSS: run one dataset per process to compare them). `--profile` adds the time
 * spent in each kernel (wall ms per step, medians) and in the JS between kernels. Timings are noisy on a
 * shared machine; the CPU column is the steadier one.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDataset } from '../src/data/load.js';
import { sampleEpochTriples } from '../src/data/negatives.js';
import { createRunKernels } from '../src/experiments/kernels.js';
import { createModel } from '../src/models/registry.js';
import { createAdam } from '../src/tensor/adam.js';
import { createTape } from '../src/tensor/tape.js';
import { tripleBatches } from '../src/train/batches.js';
import { createRng } from '../src/util/rng.js';
import { loadAverage, median, option, profileSummary, stepSummary, timed, timeSteps } from './lib/common.js';

export async function run(args: string[]): Promise<void> {
  const dir = option(args, '--data') ?? resolve(import.meta.dirname, '..', '..', 'shared', 'data', 'rlmrec_yelp');
  if (!existsSync(join(dir, 'train.tsv'))) throw new Error(`no dataset at ${dir}: pass --data <dir>`);
  const steps = Number(option(args, '--steps') ?? 8), threads = Number(option(args, '--threads') ?? 1);
  const profile = args.includes('--profile');
  const ds = await loadDataset(dir, { texts: false });
  const run = await createRunKernels(threads);
  const kernelMs = new Map<string, number>();
  const kernels = profile ? timed(run.kernels, kernelMs, args.includes('--gemm-shapes')) : run.kernels;
  try {
    const model = await createModel({ name: 'weightedgcl' }, { train: ds.train, kernels, rng: createRng(2023).derive('init') });
    const adam = createAdam(model.params, { lr: 1e-3 }, kernels), tape = createTape(kernels);
    const batches = tripleBatches(sampleEpochTriples(ds.train, createRng(1)), 4096);
    console.log(`bench weightedgcl: ${ds.name} (${ds.numUsers} users, ${ds.numItems} items), d=64, L=2, batch 4096 ` +
      `(${batches.length} steps/epoch), ${run.kernels.name} kernels, ${threads} thread(s); ${steps} timed steps after 1 warm-up; ` +
      `${availableParallelism()} CPUs, load average ${loadAverage()}`);
    const t = timeSteps({ model, tape, adam, batches, steps, kernelMs });
    console.log(`${stepSummary(t, batches.length)}, new tape buffers/step ${median(t.fresh)}, ` +
      `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
    if (profile) console.log(profileSummary(t));
    console.log(`load average after: ${loadAverage()}`);
  } finally {
    await run.close();
  }
}
