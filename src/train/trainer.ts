import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import type { TrainConfig } from '../config/run-config.js';
import type { Csr } from '../data/csr.js';
import { sampleEpochTriples } from '../data/negatives.js';
import { freezeWithPlugins } from '../models/freeze.js';
import type { BaseModel, Batch, Embeddings, Plugin, Scorer, StepContext } from '../models/types.js';
import { createAdam } from '../tensor/adam.js';
import type { Kernels } from '../tensor/kernels/types.js';
import { createTape, type Node, type Param, type Tape, zeroGrads } from '../tensor/tape.js';
import * as F from '../tensor/fn.js';
import { ConfigError, LmmrecError } from '../util/errors.js';
import { createRng, type Rng } from '../util/rng.js';
import { tripleBatches, userBatches } from './batches.js';
import { type KeyedParam, readTrainState, type TrainerState, writeModelCheckpoint, writeTrainState } from './checkpoint.js';
import type { TrainEvent } from './events.js';

export type TrainLoopConfig = Pick<z.infer<typeof TrainConfig>, 'epochs' | 'batchSize' | 'lr' | 'earlyStop'>;

/** Full-ranking metrics of a frozen model on the validation split, keyed like `recall@20`. */
export type Validate = (scorer: Scorer, epoch: number) => Promise<Record<string, number>>;

export interface TrainOptions {
  model: BaseModel;
  plugins?: readonly Plugin[];
  /** The training graph negatives are sampled against (the model's own train graph). */
  train: Csr;
  config: TrainLoopConfig;
  /** The run seed; epoch e draws negatives and model noise from streams derived from (seed, e). */
  seed: number;
  kernels: Kernels;
  /** Injected by the caller (train/ never imports eval/); without it there is no early stopping. */
  validate?: Validate;
  /** Where `last.safetensors` (every epoch) and `best.safetensors` (every improvement) go. */
  checkpointDir?: string;
  /** Continue from `checkpointDir/last.safetensors`. */
  resume?: boolean;
  /** Recorded in every checkpoint (model name and config, data hashes, …). */
  metadata?: Record<string, string>;
  onProgress?: (e: TrainEvent) => void;
  signal?: AbortSignal;
}

export interface TrainResult {
  /** Final trainer state: epochs done, best epoch and metrics, validation and loss history. */
  state: TrainerState;
  /** Epoch the run resumed after (undefined for a fresh run). */
  resumedFrom?: number;
}

/**
 * The one training loop (method.md §B.0): each epoch one uniform negative per training interaction, shuffled,
 * cut into batches; every step sums the base model's and plug-ins' loss terms on one tape and takes one
 * PyTorch-form Adam step over all parameters. Validation (valid Recall@20 by default) runs after epochs
 * 1, 1+every, 1+2·every, … (RLMRec validates at epoch_idx % 3 == 0); the run stops after `patience`
 * validations without a strict improvement; the best parameters are restored into the model at the end.
 *
 * A non-finite loss term stops the run with LmmrecError('NUMERIC') naming the epoch, step and term. Abort
 * (`signal`) throws LmmrecError('ABORTED'); the last completed epoch is on disk, and a resumed run gives
 * bit-identical parameters to an uninterrupted one.
 */
export async function trainModel(opts: TrainOptions): Promise<TrainResult> {
  const { model, config, kernels, signal, onProgress } = opts;
  const plugins = opts.plugins ?? [];
  const { every, patience, metric } = config.earlyStop;
  const keyed = keyParams(model, plugins);
  const params = keyed.map((k) => k.param);
  const adam = createAdam(params, { lr: config.lr }, kernels);
  const root = createRng(opts.seed);
  const dir = opts.checkpointDir;
  if (dir) mkdirSync(dir, { recursive: true });
  const lastPath = dir ? join(dir, 'last.safetensors') : undefined;
  const bestPath = dir ? join(dir, 'best.safetensors') : undefined;
  const meta = { ...opts.metadata, model: model.name, seed: String(opts.seed) };

  let state: TrainerState = {
    epoch: 0, bestEpoch: null, bestValue: null, bestMetrics: null, badEvals: 0, history: [], losses: [], elapsedMs: 0, stopped: null,
  };
  let best: Float32Array[] | undefined;
  let resumedFrom: number | undefined;
  if (opts.resume) {
    if (!lastPath || !existsSync(lastPath)) {
      throw new LmmrecError('USAGE', `cannot resume: ${lastPath ?? '(no checkpoint directory)'} does not exist`);
    }
    const saved = readTrainState(lastPath, keyed);
    adam.load(saved.adam);
    state = saved.state;
    best = saved.best;
    resumedFrom = state.epoch;
  }

  const tape = createStepTape(kernels, plugins);
  const sessionStart = performance.now(), elapsedBefore = state.elapsedMs;
  let epochMsSum = 0, epochCount = 0, evalMsSum = 0, evalCount = 0;
  onProgress?.({
    type: 'start', startEpoch: state.epoch + 1, maxEpochs: config.epochs,
    stepsPerEpoch: Math.ceil(opts.train.indptr[opts.train.rows] / config.batchSize), resumed: resumedFrom !== undefined,
  });

  while (state.stopped === null && state.epoch < config.epochs) {
    const epoch = state.epoch + 1;
    const t0 = performance.now();
    for (const p of plugins) p.onEpochStart?.(epoch);
    const batches = epochBatches(opts.train, model, config.batchSize, root, epoch);
    const modelRng = root.derive(`train/model/${epoch}`);
    const sums: Record<string, number> = {};
    for (let s = 0; s < batches.length; s++) {
      await checkAbort(signal, epoch, s);
      const ts = performance.now();
      const loss = trainStep(tape, model, plugins, batches[s], { epoch, step: s, steps: batches.length, rng: modelRng }, params);
      adam.step();
      for (const p of plugins) p.onStepEnd?.();
      for (const [k, v] of Object.entries(loss)) sums[k] = (sums[k] ?? 0) + v;
      onProgress?.({ type: 'step', epoch, step: s + 1, steps: batches.length, loss, stepMs: performance.now() - ts });
    }
    const epochMs = performance.now() - t0;
    const meanLoss = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / Math.max(1, batches.length)]));
    state = { ...state, epoch, losses: [...state.losses, { epoch, loss: meanLoss, ms: epochMs }] };
    epochMsSum += epochMs;
    epochCount++;

    if (opts.validate && (epoch - 1) % every === 0) {
      const tv = performance.now();
      const metrics = await opts.validate(freezeWithPlugins(model, plugins, kernels), epoch);
      const evalMs = performance.now() - tv;
      evalMsSum += evalMs;
      evalCount++;
      const value = metrics[metric];
      if (value === undefined) {
        throw new ConfigError(`train.earlyStop.metric "${metric}" is not among the validation metrics: ${Object.keys(metrics).join(', ')}`);
      }
      const improved = state.bestValue === null || value > state.bestValue;
      state = {
        ...state,
        history: [...state.history, { epoch, metrics, evalMs }],
        ...(improved ? { bestEpoch: epoch, bestValue: value, bestMetrics: metrics, badEvals: 0 } : { badEvals: state.badEvals + 1 }),
      };
      if (improved) {
        best = params.map((p) => p.value.data.slice());
        if (bestPath) {
          writeModelCheckpoint(bestPath, keyed, { ...meta, epoch: String(epoch), metrics: JSON.stringify(metrics) });
          onProgress?.({ type: 'checkpoint', epoch, path: bestPath, kind: 'best' });
        }
      }
      onProgress?.({
        type: 'validate', epoch, metrics, value, improved, bestEpoch: state.bestEpoch!, best: state.bestValue!,
        badEvals: state.badEvals, evalMs,
      });
      if (state.badEvals >= patience) state = { ...state, stopped: 'early-stop' };
    }
    if (state.stopped === null && epoch >= config.epochs) state = { ...state, stopped: 'max-epochs' };
    state = { ...state, elapsedMs: elapsedBefore + performance.now() - sessionStart };
    if (lastPath) {
      writeTrainState(lastPath, keyed, { state, adam: adam.state(), best }, meta);
      onProgress?.({ type: 'checkpoint', epoch, path: lastPath, kind: 'last' });
    }
    onProgress?.({
      type: 'epoch', epoch, loss: meanLoss, epochMs,
      etaMs: etaMs(state, config, epochMsSum / epochCount, evalCount ? evalMsSum / evalCount : 0, opts.validate !== undefined),
    });
  }
  if (best) params.forEach((p, i) => p.value.data.set(best![i]));
  onProgress?.({ type: 'stop', epoch: state.epoch, reason: state.stopped ?? 'max-epochs', bestEpoch: state.bestEpoch });
  return { state, resumedFrom };
}

/** The tape of the training steps: it keeps buffers for the longest plug-in period (lazy terms, Plugin.period). */
export function createStepTape(kernels: Kernels, plugins: readonly Plugin[]): Tape {
  return createTape(kernels, Math.max(1, ...plugins.map((p) => p.period ?? 1)));
}

/** Unique tensor keys: model parameters by name, plug-in parameters as `<plugin>/<name>`. */
export function keyParams(model: BaseModel, plugins: readonly Plugin[] = []): KeyedParam[] {
  const out: KeyedParam[] = [
    ...model.params.map((param) => ({ key: param.name, param })),
    ...plugins.flatMap((pl) => pl.params.map((param) => ({ key: `${pl.name}/${param.name}`, param }))),
  ];
  const seen = new Set<string>();
  for (const { key } of out) {
    if (seen.has(key)) throw new LmmrecError('INTERNAL', `two parameters share the checkpoint key "${key}"`);
    seen.add(key);
  }
  return out;
}

function epochBatches(train: Csr, model: BaseModel, batchSize: number, root: Rng, epoch: number): Batch[] {
  const triples = sampleEpochTriples(train, root.derive(`train/negatives/${epoch}`));
  if (model.usersPerBatch === undefined) return tripleBatches(triples, batchSize);
  return userBatches(triples, train.rows, model.usersPerBatch, root.derive(`train/user-order/${epoch}`));
}

/** Forward (with the plug-ins' hooks), NaN/inf check per term, backward. Returns the term values. */
export function trainStep(
  tape: Tape, model: BaseModel, plugins: readonly Plugin[], batch: Batch, ctx: StepContext, params: readonly Param[],
): Record<string, number> {
  tape.reset();
  zeroGrads(params);
  const stepCtx = withEgoHooks(ctx, plugins);
  const e = model.embed(tape, stepCtx);
  const terms: [string, Node][] = Object.entries(model.loss(tape, withEmbeddingHooks(tape, e, plugins, stepCtx), batch, stepCtx));
  for (const p of plugins) for (const [k, n] of Object.entries(p.loss(tape, e, batch, stepCtx))) terms.push([`${p.name}.${k}`, n]);
  if (terms.length === 0) throw new LmmrecError('INTERNAL', `${model.name}: loss returned no terms`);
  const values: Record<string, number> = {};
  for (const [k, n] of terms) {
    const v = tape.scalar(n);
    if (!Number.isFinite(v)) {
      throw new LmmrecError('NUMERIC', `epoch ${ctx.epoch}, step ${ctx.step + 1}: loss term "${k}" is ${v} (${model.name}); try a lower train.lr or check the input data`);
    }
    values[k] = v;
  }
  let total = terms[0][1];
  for (let i = 1; i < terms.length; i++) total = F.add(tape, total, terms[i][1]);
  tape.backward(total);
  return values;
}

/**
 * The base model's embeddings after the plug-ins' `transformEmbeddings`, in plug-in order, with the
 * untransformed ones under `base` (the same object when no plug-in has the hook).
 */
export function withEmbeddingHooks(t: Tape, e: Embeddings, plugins: readonly Plugin[], ctx: StepContext): Embeddings {
  const hooks = plugins.filter((p) => p.transformEmbeddings !== undefined);
  if (hooks.length === 0) return e;
  const out = hooks.reduce((x, p) => p.transformEmbeddings!(t, x, ctx), e);
  return out === e ? e : { ...out, base: { users: e.users, items: e.items } };
}

/** The step context with the plug-ins' ego rewrites composed in plug-in order (unchanged when none has one). */
function withEgoHooks(ctx: StepContext, plugins: readonly Plugin[]): StepContext {
  const hooks = plugins.filter((p) => p.transformEgo !== undefined);
  if (hooks.length === 0) return ctx;
  const stepCtx: StepContext = {
    ...ctx,
    transformEgo: (t, ego) => hooks.reduce((x, p) => p.transformEgo!(t, x, stepCtx), ego),
  };
  return stepCtx;
}

async function checkAbort(signal: AbortSignal | undefined, epoch: number, s: number): Promise<void> {
  // Yield so SIGINT handlers and timers run between steps (each step is synchronous).
  await new Promise<void>((r) => setImmediate(r));
  if (signal?.aborted) {
    throw new LmmrecError('ABORTED', `training aborted in epoch ${epoch} at step ${s + 1}; the last completed epoch is checkpointed`, { cause: signal.reason });
  }
}

function etaMs(s: TrainerState, c: TrainLoopConfig, epochMs: number, evalMs: number, validating: boolean): number {
  if (s.stopped !== null) return 0;
  let stopAt = c.epochs;
  if (validating) {
    const { every, patience } = c.earlyStop;
    const nextEval = s.epoch + 1 + ((every - (s.epoch % every)) % every);
    stopAt = Math.min(stopAt, nextEval + (patience - s.badEvals - 1) * every);
  }
  const left = Math.max(0, stopAt - s.epoch);
  return left * epochMs + (validating ? Math.ceil(left / c.earlyStop.every) * evalMs : 0);
}
