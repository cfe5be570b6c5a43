/**
 * Cost of the plug-ins per training step on top of LightGCN: `npm run bench -- plugins [--data dir]
 * [--text file.lmma] [--motivation-text file.lmma] [--motivation S|M] [--steps 6] [--threads 2] [--variants a,b] [--profile]`. Every variant trains from
 * the same init on the same batches (4096 triples of one sampled epoch), steps interleaved round-robin so load
 * drift hits all of them alike; prints the median ms per step, the ratio to the bare base, and the implied
 * s/epoch, and the median CPU time per step (all threads; steadier than wall time on a shared machine). Without --text, random 256-d text matrices stand in (cost does not depend on the values).
 * S comes from --text and M from --motivation-text (default: the --text file), matrix --motivation (default M).
 * The mean CPU columns are the ones for the lazy variants (`every`), whose cheap steps a median hides; give them
 * a --steps that is a multiple of `every`.
 * `--profile` adds each variant's time per kernel (median wall ms per step) and the JS time between kernels.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDataset } from '../src/data/load.js';
import { sampleEpochTriples } from '../src/data/negatives.js';
import { createRunKernels } from '../src/experiments/kernels.js';
import { loadPluginText } from '../src/experiments/plugin-text.js';
import { createPlugins } from '../src/models/plugin-registry.js';
import type { PluginText, TextPair } from '../src/models/plugins/context.js';
import { createModel } from '../src/models/registry.js';
import type { Batch } from '../src/models/types.js';
import { createAdam } from '../src/tensor/adam.js';
import { matrix } from '../src/tensor/tensor.js';
import { tripleBatches } from '../src/train/batches.js';
import { createStepTape, trainStep } from '../src/train/trainer.js';
import { createRng } from '../src/util/rng.js';
import { emptyStepTimes, loadAverage, median, option, profileSummary, recordStep, timed } from './lib/common.js';

/** The cost-capped settings: in-batch user candidates, 1024-triple contrastive batches, 32 prototypes. */
const FAST_CON = { userCandidates: 'batch', alignBatch: 1024 };
const FAST = { ...FAST_CON, prototypes: 32, nodeCap: 1024 };
const OFF = { useSem: false, useAlign: false, useMCS: false, useITC: false };
/** `<prefix>:x` enables one LMMRec term alone over the given settings (align = without the IME). */
function terms(prefix: string, base: Record<string, unknown>): Record<string, { plugins: string[]; settings: Record<string, unknown> }> {
  const one = (on: Record<string, unknown>) => ({ plugins: ['lmmrec'], settings: { lmmrec: { ...base, ...OFF, ...on } } });
  return {
    [`${prefix}:sem`]: one({ useSem: true }),
    [`${prefix}:align+ime`]: one({ useAlign: true }),
    [`${prefix}:align`]: one({ useAlign: true, useIME: false }),
    [`${prefix}:mcs`]: one({ useMCS: true }),
    [`${prefix}:itc`]: one({ useITC: true }),
  };
}

/** name → plug-ins and their settings. */
const VARIANTS: Record<string, { plugins: string[]; settings?: Record<string, unknown> }> = {
  lightgcn: { plugins: [] },
  'rlmrec-con': { plugins: ['rlmrec-con'] },
  'rlmrec-con/batch': { plugins: ['rlmrec-con'], settings: { 'rlmrec-con': { userCandidates: 'batch' } } },
  'rlmrec-gen': { plugins: ['rlmrec-gen'] },
  uist: { plugins: ['uist'] },
  once: { plugins: ['once'] },
  autograph: { plugins: ['autograph'] },
  lmmrec: { plugins: ['lmmrec'] },
  'lmmrec/batch': { plugins: ['lmmrec'], settings: { lmmrec: { userCandidates: 'batch' } } },
  'rlmrec-con/fast': { plugins: ['rlmrec-con'], settings: { 'rlmrec-con': FAST_CON } },
  'lmmrec/fast': { plugins: ['lmmrec'], settings: { lmmrec: FAST } },
  'lmmrec/fast-k128': { plugins: ['lmmrec'], settings: { lmmrec: { ...FAST, prototypes: 128 } } },
  'lmmrec/fast-2048': { plugins: ['lmmrec'], settings: { lmmrec: { ...FAST, alignBatch: 2048 } } },
  'rlmrec-con/fast-512': { plugins: ['rlmrec-con'], settings: { 'rlmrec-con': { ...FAST_CON, alignBatch: 512 } } },
  'lmmrec/fast-512': { plugins: ['lmmrec'], settings: { lmmrec: { ...FAST, alignBatch: 512, nodeCap: 512 } } },
  'lmmrec/fast-256': { plugins: ['lmmrec'], settings: { lmmrec: { ...FAST, alignBatch: 256, nodeCap: 256 } } },
  // lazy text terms (every n-th step at n× weight): time with --steps a multiple of n and read the mean columns
  'rlmrec-con/fast-every4': { plugins: ['rlmrec-con'], settings: { 'rlmrec-con': { ...FAST_CON, every: 4 } } },
  'lmmrec/fast-every4': { plugins: ['lmmrec'], settings: { lmmrec: { ...FAST, every: 4 } } },
  'lmmrec/fast-every8': { plugins: ['lmmrec'], settings: { lmmrec: { ...FAST, every: 8 } } },
  'lmmrec/fast-512-noime': { plugins: ['lmmrec'], settings: { lmmrec: { ...FAST, alignBatch: 512, nodeCap: 512, useIME: false } } },
  'lmmrec/fast-256-noime': { plugins: ['lmmrec'], settings: { lmmrec: { ...FAST, alignBatch: 256, nodeCap: 256, useIME: false } } },
  ...terms('lmmrec', {}),
  ...terms('lmmrec/fast', FAST),
  ...terms('lmmrec/fast-512', { ...FAST, alignBatch: 512, nodeCap: 512 }),
};
const mean = (xs: number[]): number => xs.reduce((a, x) => a + x, 0) / xs.length;
const DEFAULT = ['lightgcn', 'rlmrec-con', 'rlmrec-con/fast', 'rlmrec-gen', 'lmmrec', 'lmmrec/fast'];

function randomText(rows: number, dim: number, seed: number): Omit<TextPair, 'items' | 'itemMask'> & { m: number } {
  const m = matrix(rows, dim), rng = createRng(seed);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal();
  return { users: m, userMask: new Uint8Array(rows).fill(1), m: rows };
}

export async function run(args: string[]): Promise<void> {
  const dir = option(args, '--data') ?? resolve(import.meta.dirname, '..', '..', 'shared', 'data', 'rlmrec_amazon_book');
  if (!existsSync(join(dir, 'train.tsv'))) throw new Error(`no dataset at ${dir}: pass --data <dir>`);
  const steps = Number(option(args, '--steps') ?? 6), threads = Number(option(args, '--threads') ?? 2);
  const names = option(args, '--variants')?.split(',') ?? DEFAULT;
  for (const n of names) if (!VARIANTS[n]) throw new Error(`unknown variant "${n}"; valid: ${Object.keys(VARIANTS).join(', ')}`);
  const ds = await loadDataset(dir, { texts: false });
  const file = option(args, '--text');
  let text: PluginText;
  if (file) {
    const motivation = { file: option(args, '--motivation-text') ?? file, matrix: (option(args, '--motivation') ?? 'M') as 'S' | 'M' };
    text = (await loadPluginText({ semantic: { file, matrix: 'S' }, motivation }, ds)).text;
  } else {
    const pair = (seed: number): TextPair => {
      const u = randomText(ds.numUsers, 256, seed), i = randomText(ds.numItems, 256, seed + 1);
      return { users: u.users, items: i.users, userMask: u.userMask, itemMask: i.userMask };
    };
    text = { semantic: pair(1), motivation: pair(3) };
  }
  const { kernels: runKernels, close } = await createRunKernels(threads);
  const kernelMs = new Map<string, number>();
  const kernels = args.includes('--profile') ? timed(runKernels, kernelMs) : runKernels;
  try {
    const arms = await Promise.all(names.map(async (n) => {
      const v = VARIANTS[n];
      const model = await createModel({ name: 'lightgcn' }, { train: ds.train, kernels, rng: createRng(2023).derive('init') });
      const plugins = createPlugins(v.plugins, v.settings ?? {}, { model, train: ds.train, kernels, rng: createRng(2023).derive('init'), text });
      const params = [...model.params, ...plugins.flatMap((p) => p.params)];
      return { n, model, plugins, params, adam: createAdam(params, { lr: 1e-3 }, kernels), tape: createStepTape(kernels, plugins), times: emptyStepTimes() };
    }));
    const batches: Batch[] = tripleBatches(sampleEpochTriples(ds.train, createRng(1)), 4096);
    const stepsPerEpoch = batches.length;
    console.log(`bench plugins: ${ds.name}, LightGCN (d=32, 3 layers, keep 0.8), batch 4096 (${stepsPerEpoch} steps/epoch), ` +
      `${kernels.name} kernels, ${threads} threads; text ${file ? `${file} (S), ${option(args, '--motivation-text') ?? file} (M)` : 'random 256-d'}; ${steps} timed steps per variant after 1 warm-up; ` +
      `${availableParallelism()} CPUs, load average ${loadAverage()}`);
    for (let s = 0; s <= steps; s++) {
      for (const a of arms) {
        kernelMs.clear();
        const t0 = performance.now(), c0 = process.cpuUsage(), f0 = a.tape.freshAllocations;
        trainStep(a.tape, a.model, a.plugins, batches[s % batches.length], { epoch: 1, step: s, rng: createRng(s) }, a.params);
        a.adam.step();
        for (const p of a.plugins) p.onStepEnd?.();
        if (s > 0) recordStep(a.times, t0, c0, a.tape.freshAllocations - f0, kernelMs);
      }
    }
    const base = median(arms[0].times.ms), baseCpu = median(arms[0].times.cpu);
    const baseMean = mean(arms[0].times.cpu);
    console.log('variant                        ms/step (median)   × first   s/epoch (implied)   CPU ms/step   × first   CPU mean   × first');
    for (const a of arms) {
      const m = median(a.times.ms), c = median(a.times.cpu), cm = mean(a.times.cpu);
      console.log(`${a.n.padEnd(30)} ${m.toFixed(0).padStart(16)} ${(m / base).toFixed(2).padStart(9)} ${((m * stepsPerEpoch) / 1000).toFixed(1).padStart(19)} ` +
        `${c.toFixed(0).padStart(13)} ${(c / baseCpu).toFixed(2).padStart(9)} ${cm.toFixed(0).padStart(10)} ${(cm / baseMean).toFixed(2).padStart(9)}`);
    }
    if (kernelMs.size > 0) for (const a of arms) console.log(`${a.n}: ${profileSummary(a.times)}`);
    console.log(`load average after: ${loadAverage()} (CPU time = all threads of this process; less sensitive to other jobs than wall time)`);
  } finally {
    await close();
  }
}
