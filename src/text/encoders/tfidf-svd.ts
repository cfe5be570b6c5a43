import { z } from 'zod';
import type { Mat } from '../../tensor/linalg/dense.js';
import { randomizedSvdAsync, sparseOperator } from '../../tensor/linalg/randomized-svd.js';
import { spmm } from '../../tensor/linalg/sparse.js';
import { DataError, LmmrecError } from '../../util/errors.js';
import { sha256 } from '../../util/hash.js';
import { createRng } from '../../util/rng.js';
import { packArrays, readArrayFile, writeArrayFile, type ArrayBundle } from './array-file.js';
import { fitTfidf, TfidfOptions, tfidfModel, transformTfidf, type TfidfModel } from './tfidf.js';
import type { EncodeOptions, TextEncoder } from './types.js';

export const TfidfSvdOptions = TfidfOptions.extend({
  /** Output width d_t. */
  dim: z.int().positive().default(256),
  /** Seed of the Gaussian test matrix; the same seed and corpus give bit-identical vectors. */
  seed: z.int().default(2023),
  powerIters: z.int().nonnegative().default(2),
  oversample: z.int().nonnegative().default(10),
});
export type TfidfSvdOptions = z.infer<typeof TfidfSvdOptions>;
export type TfidfSvdOptionsInput = z.input<typeof TfidfSvdOptions>;

export interface TfidfSvdEncoder extends TextEncoder {
  readonly id: 'tfidf-svd';
  readonly options: TfidfSvdOptions;
  readonly fitted: boolean;
  /** Singular values of the fitted tf-idf matrix (length dim; zeros past its rank). */
  readonly singularValues: Float64Array | undefined;
  fit(corpus: readonly string[], opts?: EncodeOptions): Promise<void>;
  /** The fitted state (vocabulary, idf, components) for `writeArrayFile` or the store. */
  toBundle(): ArrayBundle;
}

const FORMAT = 'lmmrec.tfidf-svd';
const ENCODE_CHUNK = 4096;

interface Fitted {
  tfidf: TfidfModel;
  /** vocab × dim, float32-rounded at fit time so a reloaded encoder gives bit-identical vectors. */
  components: Float32Array;
  componentsMat: Mat;
  singularValues: Float64Array;
  fitDocs: number;
  model: string;
}

/**
 * The built-in offline encoder: TF-IDF (see tfidf.ts) reduced by a randomized truncated SVD to `dim`
 * (latent semantic analysis), rows L2-normalised. A new text is embedded as x·V (its tf-idf row times the
 * right singular vectors), the same map that produced the corpus rows, so a fitted state can embed free
 * text later (cold start in serving).
 */
export function createTfidfSvdEncoder(options: TfidfSvdOptionsInput = {}): TfidfSvdEncoder {
  const parsed = TfidfSvdOptions.safeParse(options);
  if (!parsed.success) throw new LmmrecError('CONFIG', `tfidf-svd options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return encoderOver(parsed.data, undefined);
}

function encoderOver(options: TfidfSvdOptions, initial: Fitted | undefined): TfidfSvdEncoder {
  let state = initial;
  return {
    id: 'tfidf-svd',
    options,
    dim: options.dim,
    get model(): string {
      return state?.model ?? 'unfitted';
    },
    get fitted(): boolean {
      return state !== undefined;
    },
    get singularValues(): Float64Array | undefined {
      return state?.singularValues;
    },
    async fit(corpus, opts = {}) {
      if (corpus.length === 0) throw new LmmrecError('DATA', 'tfidf-svd: cannot fit on an empty corpus');
      opts.signal?.throwIfAborted();
      const { model: tfidf, matrix } = fitTfidf(corpus, options);
      const svd = await randomizedSvdAsync(sparseOperator(matrix), {
        rank: options.dim,
        oversample: options.oversample,
        powerIters: options.powerIters,
        rng: createRng(options.seed).derive('tfidf-svd'),
        signal: opts.signal,
        onProgress: opts.onProgress,
      });
      const components = Float32Array.from(svd.v.data);
      state = finish(options, tfidf, components, svd.s, corpus.length);
    },
    async encode(texts, opts = {}) {
      const s = state;
      if (!s) throw new LmmrecError('USAGE', 'tfidf-svd: the encoder is not fitted; call fit(corpus) or load a saved state first');
      const dim = options.dim;
      const out = new Float32Array(texts.length * dim);
      for (let start = 0; start < texts.length; start += ENCODE_CHUNK) {
        opts.signal?.throwIfAborted();
        const chunk = texts.slice(start, start + ENCODE_CHUNK);
        const y = spmm(transformTfidf(s.tfidf, chunk), s.componentsMat).data;
        for (let r = 0; r < chunk.length; r++) {
          let n2 = 0;
          for (let j = 0; j < dim; j++) n2 += y[r * dim + j] * y[r * dim + j];
          const inv = n2 > 0 ? 1 / Math.sqrt(n2) : 0;
          for (let j = 0; j < dim; j++) out[(start + r) * dim + j] = y[r * dim + j] * inv;
        }
        opts.onProgress?.({ done: Math.min(texts.length, start + ENCODE_CHUNK), total: texts.length });
        await new Promise((resolve) => setImmediate(resolve)); // let a progress bar or a signal through
      }
      return out;
    },
    toBundle() {
      if (!state) throw new LmmrecError('USAGE', 'tfidf-svd: nothing to save, the encoder is not fitted');
      return bundleOf(options, state);
    },
  };
}

function finish(options: TfidfSvdOptions, tfidf: TfidfModel, components: Float32Array, s: Float64Array, fitDocs: number): Fitted {
  const componentsMat: Mat = { rows: tfidf.vocab.length, cols: options.dim, data: Float64Array.from(components) };
  const partial = { tfidf, components, componentsMat, singularValues: s, fitDocs, model: '' };
  return { ...partial, model: modelId(options, partial) };
}

/** Content address of a fitted state: equal states (same corpus, options, seed) get equal ids. */
function modelId(options: TfidfSvdOptions, f: Fitted): string {
  const bytes = packArrays(bundleOf(options, f, false));
  return `tfidf-svd-${options.dim}d-${sha256(bytes).slice(0, 16)}`;
}

function bundleOf(options: TfidfSvdOptions, f: Fitted, withId = true): ArrayBundle {
  return {
    meta: {
      format: FORMAT,
      version: 1,
      ...(withId && { model: f.model }),
      options,
      fitDocs: f.fitDocs,
      vocab: f.tfidf.vocab,
    },
    arrays: { idf: f.tfidf.idf, components: f.components, singularValues: f.singularValues },
  };
}

const StateMeta = z.strictObject({
  format: z.literal(FORMAT),
  version: z.literal(1),
  model: z.string(),
  options: TfidfSvdOptions,
  fitDocs: z.int().nonnegative(),
  vocab: z.array(z.string()),
});

/** Rebuild a fitted encoder from `toBundle()` output; `where` names the file or store row in errors. */
export function tfidfSvdFromBundle(bundle: ArrayBundle, where: string): TfidfSvdEncoder {
  const m = StateMeta.safeParse(bundle.meta);
  if (!m.success) {
    const i = m.error.issues[0];
    throw new DataError({ file: where, field: i?.path.join('.') || undefined }, `not a tfidf-svd state: ${i?.message ?? 'invalid'}`);
  }
  const { options, vocab, fitDocs, model } = m.data;
  const { idf, components, singularValues } = bundle.arrays;
  if (!(idf instanceof Float64Array) || !(components instanceof Float32Array) || !(singularValues instanceof Float64Array)) {
    throw new DataError({ file: where }, 'tfidf-svd state needs arrays idf (f64), components (f32), singularValues (f64)');
  }
  if (components.length !== vocab.length * options.dim) {
    throw new DataError({ file: where, field: 'components' }, `expected ${vocab.length} × ${options.dim} values, found ${components.length}`);
  }
  const fitted = finish(options, tfidfModel(options, vocab, idf), components, singularValues, fitDocs);
  if (fitted.model !== model) throw new DataError({ file: where, field: 'model' }, `content hash ${fitted.model} does not match the recorded ${model} (file altered or corrupt)`);
  return encoderOver(options, fitted);
}

/** Save a fitted encoder to a standalone file (array container: JSON header + float arrays). */
export async function saveTfidfSvdFile(encoder: TfidfSvdEncoder, path: string): Promise<void> {
  await writeArrayFile(path, encoder.toBundle());
}

/** Load an encoder saved by `saveTfidfSvdFile`, ready to embed new text. */
export async function loadTfidfSvdFile(path: string): Promise<TfidfSvdEncoder> {
  return tfidfSvdFromBundle(await readArrayFile(path), path);
}
