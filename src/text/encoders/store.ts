import type { Store } from '../../data/store/store.js';
import { sha256 } from '../../util/hash.js';
import type { EncodeOptions, TextEncoder } from './types.js';

/**
 * Embeddings persisted in the workspace store (tables of migration 3) with their provenance: encoder,
 * model, dimension, the sha256 of the exact text of each row, and when it was computed.
 */

/** The vector space a row lives in: the same text under another encoder, model or width is another row. */
export interface EmbeddingSpace {
  encoder: string;
  model: string;
  dim: number;
}

export interface StoredEmbedding {
  inputHash: string;
  vector: Float32Array;
  createdAt: string;
}

export function inputHash(text: string): string {
  return sha256(text);
}

/** Every stored row of a collection in one space, by row id. */
export function readEmbeddings(store: Store, collection: string, space: EmbeddingSpace): Map<number, StoredEmbedding> {
  const rows = store.db
    .prepare('SELECT row, input_hash, vector, created_at FROM text_embeddings WHERE collection = ? AND encoder = ? AND model = ? AND dim = ?')
    .all(collection, space.encoder, space.model, space.dim) as { row: number; input_hash: string; vector: Buffer; created_at: string }[];
  const out = new Map<number, StoredEmbedding>();
  for (const r of rows) {
    if (r.vector.byteLength !== space.dim * 4) continue; // a corrupt row is recomputed, not trusted
    const copy = new Float32Array(space.dim);
    new Uint8Array(copy.buffer).set(r.vector);
    out.set(r.row, { inputHash: r.input_hash, vector: copy, createdAt: r.created_at });
  }
  return out;
}

/** Upsert rows in one transaction. */
export function writeEmbeddings(
  store: Store, collection: string, space: EmbeddingSpace,
  rows: readonly { row: number; inputHash: string; vector: Float32Array }[],
): void {
  const now = new Date().toISOString();
  const put = store.db.prepare(
    `INSERT INTO text_embeddings (collection, row, encoder, model, dim, input_hash, vector, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (collection, encoder, model, dim, row) DO UPDATE SET input_hash = excluded.input_hash, vector = excluded.vector, created_at = excluded.created_at`,
  );
  store.transaction(() => {
    for (const r of rows) {
      if (r.vector.length !== space.dim) throw new RangeError(`writeEmbeddings: row ${r.row} has ${r.vector.length} values, space dim is ${space.dim}`);
      put.run(collection, r.row, space.encoder, space.model, space.dim, r.inputHash, Buffer.from(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength), now);
    }
  });
}

export function deleteEmbeddings(store: Store, collection: string, space: EmbeddingSpace, rows: readonly number[]): void {
  const del = store.db.prepare('DELETE FROM text_embeddings WHERE collection = ? AND encoder = ? AND model = ? AND dim = ? AND row = ?');
  store.transaction(() => {
    for (const r of rows) del.run(collection, space.encoder, space.model, space.dim, r);
  });
}

export interface CachedEncodeResult {
  /** n × dim, zero rows where `texts[i]` is undefined. */
  vectors: Float32Array;
  /** Rows embedded now (their text was new or changed). */
  computed: number;
  /** Rows taken from the store unchanged. */
  reused: number;
}

/** Texts sent to the encoder per call; each call's rows are written before the next, so a killed run keeps them. */
const WRITE_BATCH = 1024;

/**
 * Embed `texts` (undefined = no text) through the store: rows whose stored input hash equals the hash of
 * their current text are reused; the rest are embedded (each distinct text once) and written back batch by
 * batch, so an interrupted run resumes where it stopped. Rows that no longer have text lose their vector.
 */
export async function encodeWithStore(
  store: Store, collection: string, encoder: TextEncoder, texts: readonly (string | undefined)[], opts: EncodeOptions = {},
): Promise<CachedEncodeResult> {
  const space: EmbeddingSpace = { encoder: encoder.id, model: encoder.model, dim: encoder.dim };
  const dim = space.dim;
  const stored = readEmbeddings(store, collection, space);
  const vectors = new Float32Array(texts.length * dim);
  const todo = new Map<string, { text: string; rows: number[] }>();
  const gone: number[] = [];
  let reused = 0;
  texts.forEach((text, row) => {
    if (text === undefined) {
      if (stored.has(row)) gone.push(row);
      return;
    }
    const h = inputHash(text);
    const hit = stored.get(row);
    if (hit && hit.inputHash === h) {
      vectors.set(hit.vector, row * dim);
      reused++;
      return;
    }
    const entry = todo.get(h);
    if (entry) entry.rows.push(row);
    else todo.set(h, { text, rows: [row] });
  });
  if (gone.length) deleteEmbeddings(store, collection, space, gone);
  const pending = [...todo.entries()];
  const total = pending.reduce((n, [, e]) => n + e.rows.length, 0);
  let done = 0;
  for (let start = 0; start < pending.length; start += WRITE_BATCH) {
    opts.signal?.throwIfAborted();
    const batch = pending.slice(start, start + WRITE_BATCH);
    const out = await encoder.encode(batch.map(([, e]) => e.text), { signal: opts.signal });
    if (out.length !== batch.length * dim) throw new RangeError(`${encoder.id}: returned ${out.length} values for ${batch.length} texts × dim ${dim}`);
    const rows: { row: number; inputHash: string; vector: Float32Array }[] = [];
    batch.forEach(([h, e], b) => {
      const v = out.subarray(b * dim, (b + 1) * dim);
      for (const row of e.rows) {
        vectors.set(v, row * dim);
        rows.push({ row, inputHash: h, vector: v });
      }
    });
    writeEmbeddings(store, collection, space, rows);
    done += rows.length;
    opts.onProgress?.({ done, total });
  }
  return { vectors, computed: total, reused };
}

/** Save a fitted encoder state (array container bytes) under its model id. */
export function saveEncoderState(store: Store, s: { encoder: string; model: string; fitKey: string; state: Uint8Array }): void {
  store.db
    .prepare(
      `INSERT INTO text_encoder_states (encoder, model, fit_key, state, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (encoder, model) DO UPDATE SET fit_key = excluded.fit_key, created_at = excluded.created_at`,
    )
    .run(s.encoder, s.model, s.fitKey, Buffer.from(s.state.buffer, s.state.byteOffset, s.state.byteLength), new Date().toISOString());
}

export interface SavedEncoderState {
  model: string;
  state: Uint8Array;
  createdAt: string;
}

/** The most recent state fitted for `fitKey`, if any. */
export function latestEncoderState(store: Store, encoder: string, fitKey: string): SavedEncoderState | undefined {
  const r = store.db
    .prepare('SELECT model, state, created_at FROM text_encoder_states WHERE encoder = ? AND fit_key = ? ORDER BY created_at DESC, rowid DESC LIMIT 1')
    .get(encoder, fitKey) as { model: string; state: Buffer; created_at: string } | undefined;
  return r && { model: r.model, state: new Uint8Array(r.state), createdAt: r.created_at };
}

/** A state by model id (how serving finds the encoder that produced a run's text embeddings). */
export function loadEncoderState(store: Store, encoder: string, model: string): SavedEncoderState | undefined {
  const r = store.db
    .prepare('SELECT model, state, created_at FROM text_encoder_states WHERE encoder = ? AND model = ?')
    .get(encoder, model) as { model: string; state: Buffer; created_at: string } | undefined;
  return r && { model: r.model, state: new Uint8Array(r.state), createdAt: r.created_at };
}
