import { type EvalResult, evaluate } from '../eval/full-ranking.js';
import { freezeWithPlugins } from '../models/freeze.js';
import { createPlugins, PluginList, PluginSettings } from '../models/plugin-registry.js';
import { createModel, ModelConfig } from '../models/registry.js';
import type { BaseModel, Plugin } from '../models/types.js';
import type { Kernels } from '../tensor/kernels/types.js';
import { loadParams, readModelCheckpoint } from '../train/checkpoint.js';
import { keyParams } from '../train/trainer.js';
import type { Dataset } from '../data/dataset.js';
import { DataError } from '../util/errors.js';
import { createRng } from '../util/rng.js';
import { createRunKernels } from './kernels.js';
import { loadPluginText, TextInputConfig } from './plugin-text.js';
import { dataHashes, loadRunDataset } from './train-run.js';

export interface EvalCheckpointOptions {
  /** A model checkpoint (`best.safetensors`) or a training state (`last.safetensors`) of a run. */
  checkpoint: string;
  /** The dataset folder the model was trained on (its train split builds the graph and the mask). */
  dataDir: string;
  split?: 'test' | 'valid';
  ks?: readonly number[];
  chunkUsers?: number;
  threads?: number;
  signal?: AbortSignal;
  onProgress?: (p: { done: number; total: number }) => void;
}

export interface EvalCheckpointResult {
  model: string;
  epoch?: number;
  result: EvalResult;
}

/**
 * Rebuild a model from a checkpoint's metadata (model name and config), load its parameters and evaluate
 * full ranking under the rlmrec protocol. The train split must be the one the model was trained on: graph
 * models propagate over it and the protocol masks it, so the data hashes recorded in the checkpoint are
 * compared first and a mismatch is an error naming the file. A run with plug-ins is rebuilt with them (their
 * settings and text files are in the metadata; the text files must hash as they did in training), since
 * score plug-ins (UIST, ONCE, AutoGraph) change the scores.
 */
export async function evalCheckpoint(opts: EvalCheckpointOptions): Promise<EvalCheckpointResult> {
  const { tensors, metadata } = readModelCheckpoint(opts.checkpoint);
  const field = (f: string): string => {
    const v = metadata[f];
    if (v === undefined) throw new DataError({ file: opts.checkpoint, field: f }, 'missing from the checkpoint metadata (not written by `lmmrec train`?)');
    return v;
  };
  const parsed = ModelConfig.safeParse(JSON.parse(field('modelConfig')));
  if (!parsed.success) throw new DataError({ file: opts.checkpoint, field: 'modelConfig' }, parsed.error.issues[0].message);
  const noise = Number(metadata.dataNoise ?? '0'), seed = Number(field('seed'));
  const ds = await loadRunDataset({ data: { dir: opts.dataDir, noise }, seed }, opts.signal);
  const want = JSON.parse(field('dataHashes')) as Record<string, string>;
  const have = await dataHashes(ds);
  for (const f of ['train.tsv', 'valid.tsv', 'test.tsv']) {
    if (want[f] !== undefined && have[f] !== want[f]) {
      throw new DataError({ file: `${opts.dataDir}/${f}` }, `differs from the file the checkpoint was trained on (sha256 ${want[f].slice(0, 12)}…)`);
    }
  }
  const { kernels, close } = await createRunKernels(opts.threads ?? 2);
  try {
    const model = await createModel(parsed.data, { train: ds.train, kernels, rng: createRng(seed).derive('init') });
    const plugins = await rebuildPlugins(opts.checkpoint, metadata, { model, ds, kernels, seed });
    loadParams(opts.checkpoint, tensors, keyParams(model, plugins));
    const split = opts.split ?? 'test';
    const result = await evaluate(freezeWithPlugins(model, plugins, kernels), {
      train: ds.train, targets: split === 'test' ? ds.test : ds.valid, ks: opts.ks, chunkUsers: opts.chunkUsers,
      signal: opts.signal, onProgress: opts.onProgress, kernels,
    });
    return { model: parsed.data.name, epoch: metadata.epoch ? Number(metadata.epoch) : undefined, result };
  } finally {
    await close();
  }
}

/** The run's plug-ins, created as training created them (same settings, text and init stream). */
async function rebuildPlugins(
  file: string, metadata: Record<string, string>, run: { model: BaseModel; ds: Dataset; kernels: Kernels; seed: number },
): Promise<Plugin[]> {
  if (metadata.plugins === undefined) return [];
  const field = <T>(name: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }): T => {
    const raw = metadata[name];
    if (raw === undefined) throw new DataError({ file, field: name }, 'missing: the checkpoint has plug-ins but not their settings (written by an older lmmrec); re-run training');
    const r = schema.safeParse(JSON.parse(raw));
    if (!r.success) throw new DataError({ file, field: name }, r.error.issues[0].message);
    return r.data;
  };
  const names = field('plugins', PluginList), settings = field('pluginSettings', PluginSettings), textCfg = field('text', TextInputConfig);
  const { text, hashes } = await loadPluginText(textCfg, run.ds);
  const want = JSON.parse(metadata.textHashes ?? '{}') as Record<string, string>;
  for (const [k, h] of Object.entries(want)) {
    if (hashes[k] !== h) throw new DataError({ file, field: 'textHashes' }, `text input ${k} differs from the file the run was trained with (sha256 ${h.slice(0, 12)}…)`);
  }
  return createPlugins(names, settings, { model: run.model, train: run.ds.train, kernels: run.kernels, rng: createRng(run.seed).derive('init'), text });
}
