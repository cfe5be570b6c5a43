import type { Dataset } from '../../data/dataset.js';
import type { Store } from '../../data/store/store.js';
import { LmmrecError } from '../../util/errors.js';
import { sha256, stableStringify } from '../../util/hash.js';
import { packArrays, readArrayFile, unpackArrays, writeArrayFile, type NumericArray } from './array-file.js';
import { buildTextMatrices, usableText, type TextMatrix } from './matrices.js';
import { createOpenAIEncoder, type OpenAIEncoderOptions } from './openai.js';
import { motivationTexts, profileTexts, resolveMotivationSelector, reviewTexts, type MotivationSelector, type SourceTexts, type TextSource } from './sources.js';
import { latestEncoderState, loadEncoderState, saveEncoderState, type SavedEncoderState } from './store.js';
import { createTfidfSvdEncoder, tfidfSvdFromBundle, type TfidfSvdEncoder, type TfidfSvdOptionsInput } from './tfidf-svd.js';
import { createTransformersEncoder, type TransformersEncoderOptions } from './transformers.js';
import type { TextEncoder } from './types.js';

/** Which encoder to build, with its own options. */
export type EncoderSpec =
  | { name: 'tfidf-svd'; options?: TfidfSvdOptionsInput }
  | { name: 'openai'; options: OpenAIEncoderOptions }
  | { name: 'transformers'; options: TransformersEncoderOptions };

/** Build a ready encoder for the spec, except tfidf-svd, which still needs `fit` (or a saved state). */
export async function createEncoder(spec: EncoderSpec, opts: { signal?: AbortSignal } = {}): Promise<TextEncoder> {
  switch (spec.name) {
    case 'tfidf-svd': return createTfidfSvdEncoder(spec.options);
    case 'openai': return createOpenAIEncoder({ ...spec.options, signal: opts.signal });
    case 'transformers': return createTransformersEncoder(spec.options);
  }
}

export type EmbedPhase = 'fit' | `${'S' | 'M'}.${'users' | 'items'}`;

export interface EmbedSourceOptions {
  dataset: Dataset;
  source: TextSource;
  encoder: EncoderSpec;
  /** Workspace store: embeddings are cached per row and a fitted tfidf-svd state is saved and reused. */
  store?: Store;
  /** Fit tfidf-svd again on the current corpus instead of reusing the state saved for this dataset/source. */
  refit?: boolean;
  /**
   * tfidf-svd's fitting corpus: every user and item text (default), or the item texts only. Users' profiles are
   * written in one register ("this user enjoys …"), so on the union the leading singular directions are theirs
   * and the rare terms that tell items apart (series, authors) fall below the rank; items and users are still
   * embedded by the same map, so they stay in one space.
   */
  fitOn?: 'all' | 'items';
  /** Which extraction run `--source motivations` reads; may be partial or absent when the store holds one run. */
  motivations?: Partial<MotivationSelector>;
  /** Cap on a review concatenation (characters). */
  maxChars?: number;
  signal?: AbortSignal;
  onProgress?: (p: { phase: EmbedPhase; done: number; total: number }) => void;
  /** Told once whether the fitted state was reused or fitted now. */
  onFit?: (f: { reused: boolean; model: string; createdAt?: string; corpus: number }) => void;
}

export interface EmbedSourceResult {
  encoder: { id: string; model: string; dim: number };
  source: TextSource;
  S: { users: TextMatrix; items: TextMatrix };
  M?: { users: TextMatrix; items: TextMatrix };
  /** Source-specific counts (reviews used / excluded, entities extracted). */
  sourceStats: Record<string, number>;
}

/**
 * `lmmrec text embed`: gather one source's texts for every user and item, make the encoder ready (fit or
 * reuse tfidf-svd on the union of those texts, so users and items share one space), and build the masked
 * S (and, for motivations, M) matrices, through the store cache when a store is given.
 */
export async function embedSource(opts: EmbedSourceOptions): Promise<EmbedSourceResult> {
  const { dataset: ds, source } = opts;
  let texts: SourceTexts;
  let sourceStats: Record<string, number> = {};
  if (source === 'profiles') texts = profileTexts(ds);
  else if (source === 'reviews') {
    const r = reviewTexts(ds, { maxChars: opts.maxChars });
    texts = r.texts;
    sourceStats = { ...r.stats };
  } else {
    if (!opts.store) throw new LmmrecError('USAGE', '--source motivations reads LLM outputs from a workspace store; give --workspace');
    const r = motivationTexts(opts.store, ds, resolveMotivationSelector(opts.store, ds, opts.motivations ?? {}));
    texts = r.texts;
    sourceStats = { extractedUsers: r.extracted.users, extractedItems: r.extracted.items };
  }
  const encoder = await readyEncoder(opts, texts);
  const signal = opts.signal;
  const build = async (name: 'S' | 'M', side: 'users' | 'items', t: (string | undefined)[]): Promise<TextMatrix> =>
    buildTextMatrices({
      texts: t,
      encoder,
      signal,
      onProgress: (p) => opts.onProgress?.({ phase: `${name}.${side}`, ...p }),
      ...(opts.store && { cache: { store: opts.store, collection: `${ds.name}/${source}/${name}/${side === 'users' ? 'user' : 'item'}` } }),
    });
  const result: EmbedSourceResult = {
    encoder: { id: encoder.id, model: encoder.model, dim: encoder.dim },
    source,
    S: { users: await build('S', 'users', texts.S.users), items: await build('S', 'items', texts.S.items) },
    sourceStats,
  };
  if (texts.M) result.M = { users: await build('M', 'users', texts.M.users), items: await build('M', 'items', texts.M.items) };
  return result;
}

/** The encoder, fitted if it fits: a tfidf-svd state saved for this dataset/source/options is reused unless `refit`. */
async function readyEncoder(opts: EmbedSourceOptions, texts: SourceTexts): Promise<TextEncoder> {
  const encoder = await createEncoder(opts.encoder, { signal: opts.signal });
  if (opts.encoder.name !== 'tfidf-svd') return encoder;
  const tfidf = encoder as TfidfSvdEncoder;
  const itemsOnly = opts.fitOn === 'items';
  const corpus = [texts.S, texts.M].flatMap((p) => (p ? [...(itemsOnly ? [] : p.users), ...p.items] : [])).map(usableText).filter((t): t is string => t !== undefined);
  // fitOn joins the key only when it is not the default, so states saved before the option existed stay found.
  const fitKey = sha256(stableStringify({ dataset: opts.dataset.name, source: opts.source, options: tfidf.options, ...(itemsOnly && { fitOn: 'items' }) }));
  if (opts.store && !opts.refit) {
    const saved = latestEncoderState(opts.store, 'tfidf-svd', fitKey);
    if (saved) {
      const loaded = fromSaved(opts.store, saved);
      opts.onFit?.({ reused: true, model: loaded.model, createdAt: saved.createdAt, corpus: corpus.length });
      return loaded;
    }
  }
  if (corpus.length === 0) throw new LmmrecError('DATA', `${opts.dataset.name}: no ${itemsOnly ? 'item ' : ''}text to fit tfidf-svd on for --source ${opts.source}`);
  await tfidf.fit(corpus, { signal: opts.signal, onProgress: (p) => opts.onProgress?.({ phase: 'fit', ...p }) });
  if (opts.store) saveEncoderState(opts.store, { encoder: 'tfidf-svd', model: tfidf.model, fitKey, state: packArrays(tfidf.toBundle()) });
  opts.onFit?.({ reused: false, model: tfidf.model, corpus: corpus.length });
  return tfidf;
}

/**
 * The fitted tfidf-svd encoder that produced vectors of `model` (as recorded in a matrices file or the
 * store), to embed free text in the same space later, e.g. a cold-start user in serving.
 */
export function loadFittedTfidfSvd(store: Store, model: string): TfidfSvdEncoder {
  const saved = loadEncoderState(store, 'tfidf-svd', model);
  if (!saved) throw new LmmrecError('STORE', `${store.path}: no fitted tfidf-svd state ${model}; run \`lmmrec text embed\` with this workspace first`);
  return fromSaved(store, saved);
}

function fromSaved(store: Store, saved: SavedEncoderState): TfidfSvdEncoder {
  const where = `${store.path} (text_encoder_states ${saved.model})`;
  return tfidfSvdFromBundle(unpackArrays(saved.state, where), where);
}

const MATRICES_FORMAT = 'lmmrec.text-matrices';

/**
 * Write S (and M) with their masks and provenance to one array file: arrays `S.users`, `S.users.hasText`,
 * `S.items`, `S.items.hasText` (and the same for M); meta names dataset, source, encoder, model, dim.
 */
export async function writeTextMatrices(path: string, r: EmbedSourceResult, dataset: string): Promise<void> {
  const arrays: Record<string, NumericArray> = {};
  const stats: Record<string, unknown> = {};
  for (const name of ['S', 'M'] as const) {
    const pair = r[name];
    if (!pair) continue;
    for (const side of ['users', 'items'] as const) {
      arrays[`${name}.${side}`] = pair[side].matrix;
      arrays[`${name}.${side}.hasText`] = pair[side].hasText;
      stats[`${name}.${side}`] = pair[side].stats;
    }
  }
  await writeArrayFile(path, {
    meta: {
      format: MATRICES_FORMAT, version: 1, dataset, source: r.source, ...r.encoder,
      numUsers: r.S.users.rows, numItems: r.S.items.rows, matrices: r.M ? ['S', 'M'] : ['S'], stats, sourceStats: r.sourceStats,
      createdAt: new Date().toISOString(),
    },
    arrays,
  });
}

export interface LoadedTextMatrices {
  meta: { dataset: string; source: string; encoder: string; model: string; dim: number; numUsers: number; numItems: number };
  get(name: 'S' | 'M', side: 'users' | 'items'): { matrix: Float32Array; hasText: Uint8Array } | undefined;
}

/** Read a file written by `writeTextMatrices`, checking every array's size against the header. */
export async function readTextMatrices(path: string): Promise<LoadedTextMatrices> {
  const b = await readArrayFile(path);
  const m = b.meta as Record<string, unknown>;
  if (m.format !== MATRICES_FORMAT) throw new LmmrecError('DATA', `${path}: not a text-matrices file (format ${String(m.format)})`);
  const meta = { dataset: String(m.dataset), source: String(m.source), encoder: String(m.id), model: String(m.model), dim: Number(m.dim), numUsers: Number(m.numUsers), numItems: Number(m.numItems) };
  return {
    meta,
    get(name, side) {
      const matrix = b.arrays[`${name}.${side}`], hasText = b.arrays[`${name}.${side}.hasText`];
      if (!matrix || !hasText) return undefined;
      const rows = side === 'users' ? meta.numUsers : meta.numItems;
      if (!(matrix instanceof Float32Array) || !(hasText instanceof Uint8Array) || matrix.length !== rows * meta.dim || hasText.length !== rows) {
        throw new LmmrecError('DATA', `${path}: ${name}.${side} does not match ${rows} rows × dim ${meta.dim}`);
      }
      return { matrix, hasText };
    },
  };
}
