import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ConfigError, DataError, LmmrecError } from '../../util/errors.js';
import type { EncodeOptions, TextEncoder } from './types.js';

export interface TransformersEncoderOptions {
  /** A local model directory in the transformers.js layout (config.json, tokenizer files, onnx/). */
  modelDir: string;
  /** How token vectors become one sentence vector (mean over the attention mask, or the first token). */
  pooling?: 'mean' | 'cls';
  /** L2-normalise the sentence vectors (what sentence-transformers models expect). */
  normalize?: boolean;
  /** Texts per forward pass. */
  batchSize?: number;
  /** Which weights: fp32 → onnx/model.onnx, q8 → onnx/model_quantized.onnx, fp16 → onnx/model_fp16.onnx. */
  dtype?: 'fp32' | 'q8' | 'fp16';
}

const ONNX_FILE = { fp32: 'model.onnx', q8: 'model_quantized.onnx', fp16: 'model_fp16.onnx' } as const;
const REQUIRED = ['config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;

/** The minimal slice of transformers.js we use (typed here so the heavy import stays lazy). */
type Extractor = (texts: string[], o: { pooling: 'mean' | 'cls'; normalize: boolean }) => Promise<{ data: Float32Array; dims: number[] }>;

/**
 * The `transformers` encoder: a sentence encoder run locally by transformers.js (ONNX Runtime), from an
 * explicit model directory only. Remote loading is switched off (`env.allowRemoteModels = false` plus
 * `local_files_only`), so a missing file is an error naming that file, never a silent Hub download.
 * `model` is the directory name plus a hash of its config and weights, so the store never mixes vectors
 * of two different models that happen to share a folder name.
 */
export async function createTransformersEncoder(opts: TransformersEncoderOptions): Promise<TextEncoder> {
  const dir = resolve(opts.modelDir);
  const dtype = opts.dtype ?? 'fp32';
  const pooling = opts.pooling ?? 'mean';
  const normalize = opts.normalize ?? true;
  const batchSize = opts.batchSize ?? 32;
  if (!Number.isInteger(batchSize) || batchSize <= 0) throw new ConfigError(`transformers encoder: batchSize must be a positive integer, got ${batchSize}`);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new DataError({ file: dir }, 'model directory not found');
  const onnxRel = join('onnx', ONNX_FILE[dtype]);
  for (const f of [...REQUIRED, onnxRel]) {
    if (!existsSync(join(dir, f))) {
      throw new DataError({ file: join(dir, f) }, `missing model file (a transformers.js model directory needs ${[...REQUIRED, onnxRel].join(', ')}); remote download is disabled`);
    }
  }
  const dim = hiddenSize(join(dir, 'config.json'));
  const model = `${basename(dir)}@${await modelHash(dir, onnxRel)}`;
  const extractor = await loadExtractor(dir, dtype);

  return {
    id: 'transformers',
    model,
    dim,
    async encode(texts, eo: EncodeOptions = {}) {
      const out = new Float32Array(texts.length * dim);
      for (let start = 0; start < texts.length; start += batchSize) {
        eo.signal?.throwIfAborted();
        const batch = texts.slice(start, start + batchSize);
        const t = await extractor([...batch], { pooling, normalize });
        if (t.dims.length !== 2 || t.dims[0] !== batch.length || t.dims[1] !== dim) {
          throw new LmmrecError('INTERNAL', `${dir}: model produced shape [${t.dims.join(', ')}], expected [${batch.length}, ${dim}] (config.json hidden size)`);
        }
        out.set(t.data, start * dim);
        eo.onProgress?.({ done: start + batch.length, total: texts.length });
      }
      return out;
    },
  };
}

function hiddenSize(configPath: string): number {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new DataError({ file: configPath }, `not valid JSON: ${(e as Error).message}`);
  }
  for (const k of ['hidden_size', 'd_model', 'dim', 'hidden_dim']) {
    const v = config[k];
    if (Number.isInteger(v) && (v as number) > 0) return v as number;
  }
  throw new DataError({ file: configPath, field: 'hidden_size' }, 'no positive integer hidden size (looked for hidden_size, d_model, dim, hidden_dim)');
}

async function modelHash(dir: string, onnxRel: string): Promise<string> {
  const h = createHash('sha256');
  for (const f of [...REQUIRED, onnxRel]) {
    h.update(`${f}\0`);
    for await (const chunk of createReadStream(join(dir, f))) h.update(chunk as Buffer);
  }
  return h.digest('hex').slice(0, 12);
}

async function loadExtractor(dir: string, dtype: 'fp32' | 'q8' | 'fp16'): Promise<Extractor> {
  let tf: typeof import('@huggingface/transformers');
  try {
    tf = await import('@huggingface/transformers');
  } catch (e) {
    throw new LmmrecError('CONFIG', `transformers encoder: @huggingface/transformers (or its onnxruntime-node native library) could not be loaded: ${(e as Error).message}`, { cause: e });
  }
  // transformers.js reads these globals at load time; they are the only way to forbid Hub access and its
  // cache folder inside node_modules. Nothing in lmmrec wants remote models, so they stay off.
  tf.env.allowRemoteModels = false;
  tf.env.allowLocalModels = true;
  tf.env.useFSCache = false;
  try {
    const pipe = await tf.pipeline('feature-extraction', dir, { local_files_only: true, dtype, device: 'cpu' });
    return async (texts, o) => {
      const t = await pipe(texts, o);
      return { data: t.data as Float32Array, dims: t.dims };
    };
  } catch (e) {
    throw new LmmrecError('DATA', `${dir}: transformers.js could not load the model: ${(e as Error).message}`, { cause: e });
  }
}
