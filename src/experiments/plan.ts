import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError, LmmrecError } from '../util/errors.js';
import { sha256, stableStringify } from '../util/hash.js';
import { type DatasetSpec, type ExperimentSpec, mergeOverrides, type PrepareStep } from './spec.js';
import { resolveTrainRunConfig, type TrainRunConfig } from './train-run.js';

export interface PlanOptions {
  /** The spec file (relative paths in the spec are relative to it; errors name it). */
  specPath: string;
  /** Experiment folder: `runs/<runId>/`, `text/`, `data/` (noisy copies), `report.md`. */
  outDir: string;
  /** Folders searched, in order, for a dataset `dir` given as a bare folder name. */
  dataRoots?: string[];
  /** Workspace folder of the store (default: outDir). */
  workspace?: string;
  /** Replace the spec's seeds. */
  seeds?: number[];
  /** Only these arms. */
  only?: string[];
  /** Only these of the spec's noise rates (fractions, as in the spec). */
  rates?: number[];
  /** Cap train.epochs (quick smoke runs). */
  maxEpochs?: number;
  threads?: number;
  /** `a.b=c` overrides applied to every run, after the spec. */
  set?: string[];
}

/** One cell of the matrix dataset × noise × seed × arm. */
export interface PlannedRun {
  /** Deterministic: `<dataset>[-n<rate %>]-<arm>-s<seed>`. */
  id: string;
  dataset: string;
  /** Noise rate, or null when the spec has no noise rates. */
  noise: number | null;
  arm: string;
  seed: number;
  /** Reference arm of this run's arm (may equal the arm for the baseline itself). */
  baseline: string;
  runDir: string;
  /** The resolved run config, or why the arm's config is invalid. */
  config?: TrainRunConfig;
  error?: string;
}

export interface ExperimentPlan {
  spec: ExperimentSpec;
  specPath: string;
  outDir: string;
  workspace: string;
  /** Resolved dataset folder per dataset id. */
  dataDirs: Record<string, string>;
  runs: PlannedRun[];
}

/** `0.05` → `5`, `0.125` → `12.5`: the rate in percent as written in run ids and tables. */
export function ratePercent(rate: number): string {
  return String(Math.round(rate * 10000) / 100);
}

export function runId(dataset: string, noise: number | null, arm: string, seed: number): string {
  return `${dataset}${noise === null ? '' : `-n${ratePercent(noise)}`}-${arm}-s${seed}`;
}

/** Where a prepared text-embed output of a dataset lives; the step's options are in the name, so editing them re-embeds. */
export function preparedTextPath(outDir: string, dataset: string, step: Extract<PrepareStep, { step: 'text-embed' }>): string {
  return join(resolve(outDir), 'text', dataset, `${step.name}-${sha256(stableStringify(step)).slice(0, 8)}.lmma`);
}

/** Where the shared noisy copy of a dataset at one rate lives. */
export function noisyCopyDir(outDir: string, dataset: string, rate: number): string {
  return join(resolve(outDir), 'data', `${dataset}-noise${ratePercent(rate)}`);
}

/** A dataset's folder: absolute, relative to the spec (`./`, `../`) or the first data root that has it. */
export function resolveDataDir(ds: DatasetSpec, specPath: string, roots: readonly string[]): string {
  if (isAbsolute(ds.dir)) return ds.dir;
  if (ds.dir.startsWith('./') || ds.dir.startsWith('../')) return resolve(dirname(specPath), ds.dir);
  for (const r of roots) {
    const p = resolve(r, ds.dir);
    if (existsSync(join(p, 'train.tsv'))) return p;
  }
  throw new ConfigError(`${specPath}: dataset "${ds.id}": no folder "${ds.dir}" with a train.tsv under ${roots.length ? roots.join(', ') : '(no data root: pass --data-root)'}`);
}

/**
 * Expand a spec into its runs, each with a resolved, validated config: defaults < spec `base` < dataset text
 * and `set` < arm `set` < `--set`, then seed, data folder (the noisy copy for rates > 0) and ks from the spec.
 * An arm whose config is invalid (e.g. a plug-in not registered yet) gets `error` instead of a config.
 */
export function planExperiment(spec: ExperimentSpec, opts: PlanOptions): ExperimentPlan {
  const outDir = resolve(opts.outDir);
  const workspace = resolve(opts.workspace ?? outDir);
  const armNames = spec.arms.map((a) => a.name);
  for (const a of opts.only ?? []) {
    if (!armNames.includes(a)) throw new LmmrecError('USAGE', `--only ${a}: no such arm in ${opts.specPath}; arms: ${armNames.join(', ')}`);
  }
  for (const s of opts.set ?? []) {
    const key = s.slice(0, s.indexOf('='));
    if (['seed', 'workspace', 'data', 'data.dir', 'eval', 'eval.ks'].includes(key)) {
      throw new LmmrecError('USAGE', `--set ${s}: ${key} is set per run by the experiment (use --seeds, --data-root, --workspace or the spec)`);
    }
  }
  for (const r of opts.rates ?? []) {
    if (!spec.noise?.includes(r)) {
      throw new LmmrecError('USAGE', `--rates ${r}: not a noise rate of ${opts.specPath}; rates: ${spec.noise?.join(', ') ?? '(the spec has none)'}`);
    }
  }
  const arms = opts.only?.length ? spec.arms.filter((a) => opts.only!.includes(a.name)) : spec.arms;
  const rates = opts.rates?.length ? spec.noise!.filter((r) => opts.rates!.includes(r)) : spec.noise ?? [null];
  const seeds = opts.seeds?.length ? opts.seeds : spec.seeds;
  const dataDirs: Record<string, string> = {};
  const runs: PlannedRun[] = [];
  for (const ds of spec.datasets) {
    const dataDir = resolveDataDir(ds, opts.specPath, opts.dataRoots ?? []);
    dataDirs[ds.id] = dataDir;
    const text = textSection(ds, opts.specPath, outDir);
    for (const noise of rates) {
      for (const seed of seeds) {
        for (const arm of arms) {
          const id = runId(ds.id, noise, arm.name, seed);
          const run: PlannedRun = { id, dataset: ds.id, noise, arm: arm.name, seed, baseline: arm.baseline ?? spec.baseline, runDir: join(outDir, 'runs', id) };
          const fixed = {
            seed, workspace,
            data: { dir: noise ? noisyCopyDir(outDir, ds.id, noise) : dataDir, ...(noise !== null && { noise: 0 }) },
            eval: { ks: spec.ks },
          };
          // The dataset's text is a default an arm may replace (e.g. another text source).
          const datasetLayer = mergeOverrides(Object.keys(text).length > 0 ? { text } : {}, ds.set);
          const merged = mergeOverrides(mergeOverrides(mergeOverrides(mergeOverrides({}, spec.base), datasetLayer), arm.set), fixed);
          try {
            const config = resolveTrainRunConfig({ file: { path: `${opts.specPath}: dataset "${ds.id}", arm "${arm.name}"`, value: merged }, set: opts.set });
            if (opts.maxEpochs !== undefined) config.train.epochs = Math.min(config.train.epochs, opts.maxEpochs);
            if (opts.threads !== undefined) config.train.threads = opts.threads;
            run.config = config;
          } catch (e) {
            if (!(e instanceof ConfigError)) throw e;
            run.error = e.message;
          }
          runs.push(run);
        }
      }
    }
  }
  return { spec, specPath: opts.specPath, outDir, workspace, dataDirs, runs };
}

function textSection(ds: DatasetSpec, specPath: string, outDir: string): Record<string, { file: string; matrix?: 'S' | 'M' }> {
  const out: Record<string, { file: string; matrix?: 'S' | 'M' }> = {};
  for (const which of ['semantic', 'motivation'] as const) {
    const ref = ds.text[which];
    if (!ref) continue;
    const step = ds.prepare.find((p) => p.step === 'text-embed' && p.name === ref.prepared);
    const file = step?.step === 'text-embed' ? preparedTextPath(outDir, ds.id, step) : resolve(dirname(specPath), ref.file!);
    out[which] = { file, ...(ref.matrix && { matrix: ref.matrix }) };
  }
  return out;
}
