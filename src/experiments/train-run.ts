import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { type ResolveOptions, resolveConfig } from '../config/resolve.js';
import { PRESETS, RunConfig } from '../config/run-config.js';
import type { Dataset } from '../data/dataset.js';
import { loadDataset } from '../data/load.js';
import { injectNoise } from '../data/noise.js';
import { lmmrecVersion } from '../data/preprocess/manifest.js';
import { evaluate } from '../eval/full-ranking.js';
import { RUN_PER_USER_FILE, writePerUserTsv } from '../eval/per-user.js';
import { freezeWithPlugins } from '../models/freeze.js';
import { createPlugins, PluginList, PluginSettings } from '../models/plugin-registry.js';
import { createModel, ModelConfig } from '../models/registry.js';
import type { Scorer } from '../models/types.js';
import type { TrainEvent } from '../train/events.js';
import { trainModel } from '../train/trainer.js';
import { ConfigError, DataError, LmmrecError } from '../util/errors.js';
import { sha256File } from '../util/hash.js';
import { createRng } from '../util/rng.js';
import { createRunKernels } from './kernels.js';
import { loadPluginText, TextInputConfig } from './plugin-text.js';

/**
 * The run config plus the `model` section (`{ name, ...fields }`, checked against that model's schema), the
 * plug-ins on top of it (`plugins: [names]`, settings under `plugin.<name>`) and their text inputs (`text`).
 */
export const TrainRunConfig = RunConfig.extend({ model: ModelConfig, plugins: PluginList, plugin: PluginSettings, text: TextInputConfig });
export type TrainRunConfig = z.infer<typeof TrainRunConfig>;

/** defaults < preset < file < --set for a training run. */
export function resolveTrainRunConfig(opts: ResolveOptions): TrainRunConfig {
  return resolveConfig(TrainRunConfig, PRESETS, opts);
}

export type TrainRunEvent = TrainEvent | { type: 'phase'; phase: 'load' | 'train' | 'test'; detail: string };

export interface TrainRunOptions {
  config: TrainRunConfig;
  /** Parent folder of the run directory; default `<workspace>/runs`. */
  outDir?: string;
  /** The exact run directory instead of a stamped one under `outDir` (experiments name their runs). */
  runDir?: string;
  onProgress?: (e: TrainRunEvent) => void;
  signal?: AbortSignal;
}

export interface TrainRunResult {
  runDir: string;
  config: TrainRunConfig;
  metrics: RunMetrics;
}

/** `metrics.json` of a run directory. */
export interface RunMetrics {
  protocol: string;
  model: string;
  /** Plug-ins trained on top of the model, when any. */
  plugins?: string[];
  dataset: string;
  seed: number;
  epochs: number;
  stopped: string | null;
  bestEpoch: number | null;
  valid: Record<string, number> | null;
  test: Record<string, number>;
  testUsers: number;
  /** Wall times (ms): training incl. validation summed over sessions, the test pass. */
  trainMs: number;
  testMs: number;
  meanEpochMs: number;
  history: { epoch: number; metrics: Record<string, number> }[];
}

/**
 * config → dataset → model → train (validation callback from eval/) → restore best → one test pass, all in a
 * run directory: `config.json` (resolved), `manifest.json` (data and text file hashes, seed, version), `log.jsonl`
 * (epoch, validation and checkpoint events), `checkpoints/{last,best}.safetensors`, `metrics.json` and
 * `test-per-user.tsv.gz`.
 */
export async function trainRun(opts: TrainRunOptions): Promise<TrainRunResult> {
  const config = absolutePaths(opts.config);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const name = config.data.dir ? basename(resolve(config.data.dir)) : 'data';
  const runDir = opts.runDir ? resolve(opts.runDir) : resolve(opts.outDir ?? join(config.workspace, 'runs'), `${stamp}-${armName(config)}-${name}-s${config.seed}`);
  await mkdir(join(runDir, 'checkpoints'), { recursive: true });
  await writeFile(join(runDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  return execute(runDir, config, false, opts);
}

/**
 * The config with its data folder, workspace and text files made absolute, so `config.json` names the same
 * files when a run is resumed (or its checkpoint evaluated) from another working directory.
 */
function absolutePaths(config: TrainRunConfig): TrainRunConfig {
  const text = (t: TrainRunConfig['text']['semantic']) => t && { ...t, file: resolve(t.file) };
  return {
    ...config,
    workspace: resolve(config.workspace),
    data: { ...config.data, ...(config.data.dir && { dir: resolve(config.data.dir) }) },
    text: { ...config.text, ...(config.text.semantic && { semantic: text(config.text.semantic) }), ...(config.text.motivation && { motivation: text(config.text.motivation) }) },
  };
}

/** Continue a run directory after a kill: same config, same data (hashes checked), from the last epoch. */
export async function resumeTrainRun(runDir: string, opts: Omit<TrainRunOptions, 'config' | 'outDir' | 'runDir'> = {}): Promise<TrainRunResult> {
  const path = join(runDir, 'config.json');
  if (!existsSync(path)) throw new LmmrecError('USAGE', `${path} not found: not a run directory`);
  const parsed = TrainRunConfig.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success) throw new ConfigError(`${path}: ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
  return execute(resolve(runDir), parsed.data, true, opts);
}

async function execute(runDir: string, config: TrainRunConfig, resume: boolean, opts: Omit<TrainRunOptions, 'config'>): Promise<TrainRunResult> {
  const { onProgress, signal } = opts;
  if (!config.data.dir) throw new ConfigError('data.dir is not set (use --data <dir> or a preset)');
  onProgress?.({ type: 'phase', phase: 'load', detail: config.data.dir });
  const ds = await loadRunDataset(config, signal);
  const hashes = await dataHashes(ds);
  const text = config.plugins.length > 0 ? await loadPluginText(config.text, ds) : undefined;
  const { kernels, close } = await createRunKernels(config.train.threads);
  try {
    const manifestPath = join(runDir, 'manifest.json');
    if (resume) {
      const was = await checkSameData(manifestPath, hashes);
      if (was !== kernels.name) {
        onProgress?.({ type: 'phase', phase: 'load', detail: `warning: the run started with ${was} kernels, resuming with ${kernels.name}; GEMM sums differ, so results will not be bit-identical to an uninterrupted run` });
      }
    } else {
      await writeFile(manifestPath, `${JSON.stringify({
        format: 'lmmrec-run/1', lmmrecVersion: lmmrecVersion(), createdAt: new Date().toISOString(), seed: config.seed,
        model: config.model.name, dataset: { name: ds.name, dir: ds.dir, users: ds.numUsers, items: ds.numItems, noise: config.data.noise, files: hashes },
        ...(text && { text: text.contentHashes }), kernels: kernels.name, node: process.version,
      }, null, 2)}\n`);
    }
    const log = join(runDir, 'log.jsonl');
    const root = createRng(config.seed);
    const model = await createModel(config.model, { train: ds.train, kernels, rng: root.derive('init') });
    const plugins = createPlugins(config.plugins, config.plugin, { model, train: ds.train, kernels, rng: root.derive('init'), text: text?.text ?? {} });
    const evalOpts = { train: ds.train, ks: config.eval.ks, chunkUsers: config.eval.chunkUsers, protocol: config.eval.protocol, signal, kernels };
    const validate = async (scorer: Scorer): Promise<Record<string, number>> =>
      (await evaluate(scorer, { ...evalOpts, targets: ds.valid })).mean;
    onProgress?.({ type: 'phase', phase: 'train', detail: `${armName(config)} on ${ds.name} (${kernels.name} kernels)` });
    let pending = Promise.resolve();
    const { state } = await trainModel({
      model, plugins, train: ds.train, config: config.train, seed: config.seed, kernels, validate, signal,
      checkpointDir: join(runDir, 'checkpoints'), resume,
      metadata: {
        ...checkpointMetadata(config, ds, hashes),
        ...(plugins.length > 0 && {
          plugins: JSON.stringify(config.plugins), pluginSettings: JSON.stringify(config.plugin),
          text: JSON.stringify(config.text), textHashes: JSON.stringify(text?.hashes ?? {}),
        }),
      },
      onProgress: (e) => {
        if (e.type !== 'step') pending = pending.then(() => appendFile(log, `${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`));
        onProgress?.(e);
      },
    });
    await pending;
    onProgress?.({ type: 'phase', phase: 'test', detail: `best epoch ${state.bestEpoch ?? state.epoch}` });
    const t0 = performance.now();
    const test = await evaluate(freezeWithPlugins(model, plugins, kernels), { ...evalOpts, targets: ds.test });
    const testMs = performance.now() - t0;
    await writePerUserTsv(join(runDir, RUN_PER_USER_FILE), test.perUser);
    const metrics: RunMetrics = {
      protocol: test.protocol.name, model: config.model.name, ...(plugins.length > 0 && { plugins: config.plugins }), dataset: ds.name, seed: config.seed,
      epochs: state.epoch, stopped: state.stopped, bestEpoch: state.bestEpoch, valid: state.bestMetrics, test: test.mean,
      testUsers: test.numUsers, trainMs: state.elapsedMs, testMs,
      meanEpochMs: state.losses.reduce((s, l) => s + l.ms, 0) / Math.max(1, state.losses.length),
      history: state.history.map(({ epoch, metrics: m }) => ({ epoch, metrics: m })),
    };
    await writeFile(join(runDir, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
    await appendFile(log, `${JSON.stringify({ time: new Date().toISOString(), type: 'test', metrics: test.mean, testMs })}\n`);
    return { runDir, config, metrics };
  } finally {
    await close();
  }
}

/** `lightgcn`, or `lightgcn+lmmrec` with plug-ins. */
export function armName(config: Pick<TrainRunConfig, 'model' | 'plugins'>): string {
  return [config.model.name, ...config.plugins].join('+');
}

/** The dataset a run trains on: the folder, plus seeded fake interactions when data.noise > 0 (method.md §B.8). */
export async function loadRunDataset(config: Pick<TrainRunConfig, 'data' | 'seed'>, signal?: AbortSignal): Promise<Dataset> {
  const ds = await loadDataset(config.data.dir!, { texts: false, signal });
  if (config.data.noise === 0) return ds;
  return injectNoise(ds, config.data.noise, createRng(config.seed).derive('data/noise')).dataset;
}

/** sha256 of every file the dataset was read from, by file name. */
export async function dataHashes(ds: Dataset): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of ds.files ?? []) out[f] = await sha256File(join(ds.dir, f));
  return out;
}

function checkpointMetadata(config: TrainRunConfig, ds: Dataset, hashes: Record<string, string>): Record<string, string> {
  return {
    modelConfig: JSON.stringify(config.model),
    dataset: ds.name,
    numUsers: String(ds.numUsers),
    numItems: String(ds.numItems),
    dataNoise: String(config.data.noise),
    dataHashes: JSON.stringify(hashes),
    lmmrecVersion: lmmrecVersion(),
  };
}

/** Throws if a data file changed since the run started; returns the kernel table the run started with. */
async function checkSameData(manifestPath: string, hashes: Record<string, string>): Promise<string | undefined> {
  const m = JSON.parse(await readFile(manifestPath, 'utf8')) as { dataset?: { files?: Record<string, string> }; kernels?: string };
  for (const [f, h] of Object.entries(m.dataset?.files ?? {})) {
    if (hashes[f] !== h) throw new DataError({ file: f }, `changed since the run started (sha256 ${h.slice(0, 12)}… → ${hashes[f]?.slice(0, 12) ?? 'missing'}…); resume needs the same data`);
  }
  return m.kernels;
}
