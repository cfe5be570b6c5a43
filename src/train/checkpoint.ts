import { z } from 'zod';
import type { AdamState } from '../tensor/adam.js';
import type { Param } from '../tensor/tape.js';
import { DataError } from '../util/errors.js';
import { type NamedTensor, readSafetensors, writeSafetensors } from './safetensors.js';

/**
 * Two checkpoint kinds, both safetensors (train/safetensors.ts):
 *
 * - model checkpoint (`best.safetensors`): one tensor per parameter under its key, plus string metadata
 *   (`format: lmmrec-model/1`, and whatever the caller records: model name, model config, data hashes). A
 *   plain state dict for anyone reading it with `safetensors.torch.load_file`.
 * - training state (`last.safetensors`, rewritten after every epoch): parameters, Adam's two moments
 *   (`adam.m/<key>`, `adam.v/<key>`), the best parameters so far (`best/<key>`) and the trainer state as JSON
 *   metadata (epoch, Adam step count, early-stopping counters, history). Random streams are derived from the
 *   run seed and the epoch number, so the epoch IS the RNG state. One file, written atomically, so a kill
 *   at any moment leaves a consistent state to resume from.
 */

export const MODEL_FORMAT = 'lmmrec-model/1';
export const STATE_FORMAT = 'lmmrec-train-state/1';

/** Early-stopping counters and logs; everything the loop needs besides tensors to continue. */
export const TrainerState = z.strictObject({
  /** Last completed epoch (1-based; 0 before the first). */
  epoch: z.int().nonnegative(),
  bestEpoch: z.int().nonnegative().nullable(),
  bestValue: z.number().nullable(),
  bestMetrics: z.record(z.string(), z.number()).nullable(),
  /** Validations since the last improvement. */
  badEvals: z.int().nonnegative(),
  history: z.array(z.strictObject({ epoch: z.int().positive(), metrics: z.record(z.string(), z.number()), evalMs: z.number() })),
  losses: z.array(z.strictObject({ epoch: z.int().positive(), loss: z.record(z.string(), z.number()), ms: z.number() })),
  /** Training + validation wall time summed over all sessions (ms). */
  elapsedMs: z.number().nonnegative(),
  stopped: z.enum(['early-stop', 'max-epochs']).nullable(),
});
export type TrainerState = z.infer<typeof TrainerState>;

/** A parameter and the tensor key it is stored under. */
export interface KeyedParam {
  readonly key: string;
  readonly param: Param;
}

function tensorOf(p: Param, data: Float32Array = p.value.data): NamedTensor {
  return { shape: [p.value.rows, p.value.cols], data };
}

export function writeModelCheckpoint(path: string, params: readonly KeyedParam[], metadata: Record<string, string>, values?: readonly Float32Array[]): void {
  const tensors: Record<string, NamedTensor> = {};
  params.forEach(({ key, param }, i) => (tensors[key] = tensorOf(param, values?.[i])));
  writeSafetensors(path, tensors, { ...metadata, format: MODEL_FORMAT });
}

export interface TrainStateFile {
  readonly state: TrainerState;
  readonly adam: AdamState;
  /** Best parameters so far, aligned with the params list (undefined before the first validation). */
  readonly best?: Float32Array[];
  readonly metadata: Record<string, string>;
}

export function writeTrainState(
  path: string, params: readonly KeyedParam[], s: { state: TrainerState; adam: AdamState; best?: readonly Float32Array[] },
  metadata: Record<string, string>,
): void {
  const tensors: Record<string, NamedTensor> = {};
  params.forEach(({ key, param }, i) => {
    tensors[key] = tensorOf(param);
    tensors[`adam.m/${key}`] = tensorOf(param, s.adam.m[i] as Float32Array);
    tensors[`adam.v/${key}`] = tensorOf(param, s.adam.v[i] as Float32Array);
    if (s.best) tensors[`best/${key}`] = tensorOf(param, s.best[i]);
  });
  writeSafetensors(path, tensors, {
    ...metadata,
    format: STATE_FORMAT,
    adamStep: String(s.adam.step),
    trainer: JSON.stringify(s.state),
  });
}

/** Read a training state and copy its parameters into `params` (shapes checked, keys named on mismatch). */
export function readTrainState(path: string, params: readonly KeyedParam[]): TrainStateFile {
  const { tensors, metadata } = readSafetensors(path);
  if (metadata.format !== STATE_FORMAT) {
    throw new DataError({ file: path, field: 'format' }, `not a training state (format "${metadata.format ?? ''}", expected ${STATE_FORMAT})`);
  }
  let state: TrainerState;
  try {
    state = TrainerState.parse(JSON.parse(metadata.trainer ?? ''));
  } catch (e) {
    throw new DataError({ file: path, field: 'trainer' }, `trainer state is unreadable (${(e as Error).message})`, { cause: e });
  }
  const step = Number(metadata.adamStep);
  if (!Number.isInteger(step) || step < 0) throw new DataError({ file: path, field: 'adamStep' }, `not a step count: "${metadata.adamStep}"`);
  const m: Float32Array[] = [], v: Float32Array[] = [], best: Float32Array[] = [];
  for (const { key, param } of params) {
    param.value.data.set(take(tensors, key, param, path));
    m.push(take(tensors, `adam.m/${key}`, param, path));
    v.push(take(tensors, `adam.v/${key}`, param, path));
    if (tensors[`best/${key}`]) best.push(take(tensors, `best/${key}`, param, path));
  }
  if (best.length !== 0 && best.length !== params.length) throw new DataError({ file: path }, 'best parameters are stored for only some tensors');
  return { state, adam: { step, m, v }, best: best.length ? best : undefined, metadata };
}

/** Read a model checkpoint's metadata and tensors (no parameters touched yet). */
export function readModelCheckpoint(path: string): { tensors: Record<string, NamedTensor>; metadata: Record<string, string> } {
  const r = readSafetensors(path);
  if (r.metadata.format !== MODEL_FORMAT && r.metadata.format !== STATE_FORMAT) {
    throw new DataError({ file: path, field: 'format' }, `not an lmmrec checkpoint (format "${r.metadata.format ?? ''}")`);
  }
  return r;
}

/** Copy stored tensors into parameters by key, checking every shape. */
export function loadParams(path: string, tensors: Record<string, NamedTensor>, params: readonly KeyedParam[]): void {
  for (const { key, param } of params) param.value.data.set(take(tensors, key, param, path));
}

function take(tensors: Record<string, NamedTensor>, key: string, p: Param, path: string): Float32Array {
  const t = tensors[key];
  if (!t) throw new DataError({ file: path, field: key }, `tensor is missing; stored: ${Object.keys(tensors).filter((k) => !k.includes('/')).join(', ')}`);
  if (t.shape.length !== 2 || t.shape[0] !== p.value.rows || t.shape[1] !== p.value.cols) {
    throw new DataError({ file: path, field: key }, `shape [${t.shape}] does not match the model's [${p.value.rows}, ${p.value.cols}]`);
  }
  return t.data;
}
