/**
 * How strongly each plug-in term pulls on the base model: `npm run bench -- term-gradients [--data dir] [--model m]
 * [--branch-dim d] [--text S.lmma] [--motivation-text M.lmma] [--at 0,100,300] [--variants a,b]`. The base trains
 * alone (its own loss, Adam, lr 1e-3); at each step listed in --at, every variant's plug-in term is added at weight
 * 1 on the same batch and parameters, and the table gives, per parameter of the base, the norm of what the term adds
 * to its gradient, next to the base loss's own gradient norm. "parity weight" = ‖∇ base loss‖ / ‖∇ term‖: the weight at
 * which the term pulls as hard as the base's loss. Adam divides each coordinate by its running gradient scale, so a
 * term far above parity sets the update's direction whatever the base loss says (why every aligner weight from
 * .001 to 1 gave the same PolyCF run: README).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadDataset } from '../src/data/load.js';
import { sampleEpochTriples } from '../src/data/negatives.js';
import { createRunKernels } from '../src/experiments/kernels.js';
import { loadPluginText } from '../src/experiments/plugin-text.js';
import { createPlugins } from '../src/models/plugin-registry.js';
import { createModel } from '../src/models/registry.js';
import type { Batch, Plugin } from '../src/models/types.js';
import { createAdam } from '../src/tensor/adam.js';
import { createTape, type Param } from '../src/tensor/tape.js';
import { tripleBatches, userBatches } from '../src/train/batches.js';
import { trainStep } from '../src/train/trainer.js';
import { createRng } from '../src/util/rng.js';
import { loadAverage, option } from './lib/common.js';

/** The specs' cost-capped plug-in settings, no warm-up (the weight is 1 from the first step). */
const CON = { userCandidates: 'batch', alignBatch: 1024, warmupEpochs: 0 };
const LMM = { ...CON, nodeCap: 1024, prototypes: 32, useSem: false, useAlign: false, useMCS: false, useITC: false, lambdaS: 1, lambdaA: 1, lambdaC: 1, lambdaT: 1 };

/**
 * name → one plug-in with one term at weight 1. The aligning terms only: UIST, ONCE and AutoGraph reach the base
 * through their own fusion weights, which start at 0 and stay there here (only the base trains), so they would
 * read 0.
 */
const VARIANTS: Record<string, { plugin: string; settings: Record<string, unknown> }> = {
  'rlmrec-con': { plugin: 'rlmrec-con', settings: { ...CON, weight: 1 } },
  'lmmrec:sem': { plugin: 'lmmrec', settings: { ...LMM, useSem: true } },
  'lmmrec:align+ime': { plugin: 'lmmrec', settings: { ...LMM, useAlign: true } },
  'lmmrec:mcs': { plugin: 'lmmrec', settings: { ...LMM, useMCS: true } },
  'lmmrec:itc': { plugin: 'lmmrec', settings: { ...LMM, useITC: true } },
};

const norm = (xs: Float32Array[]): number => Math.sqrt(xs.reduce((s, x) => s + x.reduce((a, v) => a + v * v, 0), 0));
const grads = (ps: readonly Param[]): Float32Array[] => ps.map((p) => Float32Array.from(p.grad.data));

export async function run(args: string[]): Promise<void> {
  const dir = option(args, '--data') ?? resolve(import.meta.dirname, '..', '..', 'shared', 'data', 'rlmrec_amazon_book');
  if (!existsSync(join(dir, 'train.tsv'))) throw new Error(`no dataset at ${dir}: pass --data <dir>`);
  const modelName = option(args, '--model') ?? 'lightgcn', branchDim = Number(option(args, '--branch-dim') ?? 0);
  const at = (option(args, '--at') ?? '0,100,300').split(',').map(Number);
  const file = option(args, '--text');
  if (!file) throw new Error('pass --text <S.lmma> (and --motivation-text <M.lmma> for LMMRec\'s motivations)');
  const names = option(args, '--variants')?.split(',') ?? Object.keys(VARIANTS);
  for (const n of names) if (!VARIANTS[n]) throw new Error(`unknown variant "${n}"; valid: ${Object.keys(VARIANTS).join(', ')}`);

  const ds = await loadDataset(dir, { texts: false });
  const motivation = { file: option(args, '--motivation-text') ?? file, matrix: (option(args, '--motivation') ?? 'M') as 'S' | 'M' };
  const { text } = await loadPluginText({ semantic: { file, matrix: 'S' }, motivation }, ds);
  const { kernels, close } = await createRunKernels(2);
  try {
    const model = await createModel({ name: modelName, ...(branchDim > 0 ? { branchDim } : {}) }, { train: ds.train, kernels, rng: createRng(1).derive('init') });
    const arms: { n: string; plugins: Plugin[]; params: Param[] }[] = names.map((n) => {
      const plugins = createPlugins([VARIANTS[n].plugin], { [VARIANTS[n].plugin]: VARIANTS[n].settings }, { model, train: ds.train, kernels, rng: createRng(1).derive('init'), text });
      return { n, plugins, params: [...model.params, ...plugins.flatMap((p) => p.params)] };
    });
    const adam = createAdam(model.params, { lr: 1e-3 }, kernels), tape = createTape(kernels);
    const batchesOf = (epoch: number): Batch[] => {
      const triples = sampleEpochTriples(ds.train, createRng(1).derive(`negatives/${epoch}`));
      return model.usersPerBatch === undefined ? tripleBatches(triples, 4096) : userBatches(triples, ds.train.rows, model.usersPerBatch, createRng(epoch));
    };
    console.log(`bench term-gradients: ${ds.name}, ${modelName}${branchDim ? ` (branch ${branchDim})` : ''}, text ${file}; ` +
      `load average ${loadAverage()}`);
    let batches = batchesOf(1), epoch = 1, inEpoch = 0;
    for (let s = 0; s <= Math.max(...at); s++) {
      if (inEpoch === batches.length) [batches, epoch, inEpoch] = [batchesOf(epoch + 1), epoch + 1, 0];
      const batch = batches[inEpoch++], ctx = () => ({ epoch, step: s, rng: createRng(s) });
      const baseValues = trainStep(tape, model, [], batch, ctx(), model.params);
      if (at.includes(s)) {
        // The plug-in's contribution = (base + term) − base on identical batch, dropout draw and parameters.
        const g0 = grads(model.params), base = g0.map((g) => norm([g]));
        console.log(`\nstep ${s} (epoch ${epoch}): base loss ${Object.entries(baseValues).map(([k, v]) => `${k} ${v.toPrecision(4)}`).join(', ')}`);
        console.log(['term'.padEnd(18), ...model.params.map((p) => `‖∇ ${p.name}‖ · parity`.padStart(30))].join(''));
        console.log(['base loss'.padEnd(18), ...base.map((b) => `${b.toExponential(2)} ·         1`.padStart(30))].join(''));
        for (const a of arms) {
          trainStep(tape, model, a.plugins, batch, ctx(), a.params);
          const d = grads(model.params).map((g, i) => norm([g.map((v, j) => v - g0[i][j])]));
          console.log([a.n.padEnd(18), ...d.map((x, i) => `${x.toExponential(2)} · ${x > 0 ? (base[i] / x).toExponential(2) : '∞'.padStart(9)}`.padStart(30))].join(''));
        }
        trainStep(tape, model, [], batch, ctx(), model.params);
      }
      adam.step();
    }
  } finally {
    await close();
  }
}
