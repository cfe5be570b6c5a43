import { type EvalResult, evaluate } from '../eval/full-ranking.js';
import { createModel, ModelConfig } from '../models/registry.js';
import { loadParams, readModelCheckpoint } from '../train/checkpoint.js';
import { keyParams } from '../train/trainer.js';
import { DataError } from '../util/errors.js';
import { createRng } from '../util/rng.js';
import { createRunKernels } from './kernels.js';
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
 * compared first and a mismatch is an error naming the file.
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
    loadParams(opts.checkpoint, tensors, keyParams(model));
    const split = opts.split ?? 'test';
    const result = await evaluate(model.freeze(), {
      train: ds.train, targets: split === 'test' ? ds.test : ds.valid, ks: opts.ks, chunkUsers: opts.chunkUsers,
      signal: opts.signal, onProgress: opts.onProgress,
    });
    return { model: parsed.data.name, epoch: metadata.epoch ? Number(metadata.epoch) : undefined, result };
  } finally {
    await close();
  }
}
