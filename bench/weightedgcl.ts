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
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDataset } from '../src/data/load.js';
import { sampleEpochTriples } from '../src/data/negatives.js';
import { createRunKernels } from '../src/experiments/kernels.js';
import { createModel } from '../src/models/registry.js';
import type { Kernels } from '../src/tensor/kernels/types.js';
import { createAdam } from '../src/tensor/adam.js';
import * as F from '../src/tensor/fn.js';
import { createTape, zeroGrads } from '../src/tensor/tape.js';
import { tripleBatches } from '../src/train/batches.js';
import { createRng } from '../src/util/rng.js';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The kernel table with every function timed into `ms` (by kernel name, GEMMs by m/k/n/transA/transB when `byShape`). */
function timed(k: Kernels, ms: Map<string, number>, byShape: boolean): Kernels {
  const out: Record<string, unknown> = { ...k };
  for (const [name, f] of Object.entries(k)) {
    if (typeof f !== 'function') continue;
    out[name] = (...a: unknown[]) => {
      const t0 = performance.now();
      try {
        return (f as (...x: unknown[]) => unknown).apply(k, a);
      } finally {
        const key = name === 'gemm' && byShape ? `gemm ${a.slice(3, 8).join('/')}` : name;
        ms.set(key, (ms.get(key) ?? 0) + performance.now() - t0);
      }
    };
  }
  return out as unknown as Kernels;
}

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
      `${availableParallelism()} CPUs, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    const ms: number[] = [], cpu: number[] = [], fresh: number[] = [], perKernel = new Map<string, number[]>(), js: number[] = [];
    for (let s = 0; s <= steps; s++) {
      kernelMs.clear();
      const t0 = performance.now(), c0 = process.cpuUsage(), f0 = tape.freshAllocations;
      const ctx = { epoch: 1, step: s, rng: createRng(s) };
      tape.reset();
      zeroGrads(model.params);
      const e = model.embed(tape, ctx);
      const terms = Object.values(model.loss(tape, e, batches[s % batches.length], ctx));
      tape.backward(terms.reduce((x, n) => F.add(tape, x, n)));
      adam.step();
      if (s === 0) continue;
      const wall = performance.now() - t0, c = process.cpuUsage(c0);
      ms.push(wall);
      cpu.push((c.user + c.system) / 1000);
      fresh.push(tape.freshAllocations - f0);
      let inKernels = 0;
      for (const [k, v] of kernelMs) {
        inKernels += v;
        perKernel.set(k, [...(perKernel.get(k) ?? []), v]);
      }
      js.push(wall - inKernels);
    }
    const m = median(ms);
    console.log(`ms/step ${m.toFixed(0)} (min ${Math.min(...ms).toFixed(0)}, max ${Math.max(...ms).toFixed(0)}), CPU ms/step ${median(cpu).toFixed(0)}, ` +
      `epoch ≈ ${((m * batches.length) / 1000).toFixed(1)} s, new tape buffers/step ${median(fresh)}, ` +
      `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
    if (profile) {
      const rows = [...perKernel].map(([k, v]) => [k, median(v)] as const).sort((a, b) => b[1] - a[1]);
      console.log(`profile (median wall ms/step): ${rows.filter(([, v]) => v >= 0.5).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}, JS outside kernels ${median(js).toFixed(1)}`);
    }
    console.log(`load average after: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  } finally {
    await run.close();
  }
}
