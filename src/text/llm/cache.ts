import type { Store } from '../../data/store/store.js';
import { sha256, stableStringify } from '../../util/hash.js';
import type { EntityKind } from './inputs.js';
import type { Sampling } from './providers/types.js';
import type { StoredOutput } from './schema.js';

export type OutputStatus = 'ok' | 'failed' | 'skipped-empty';

/** Everything that determines an answer; its hash is the cache key (and the Batch API custom_id). */
export interface CacheKeyParts {
  provider: string;
  model: string;
  promptVersion: string;
  inputHash: string;
  sampling: Sampling;
}

const samplingJson = new WeakMap<Sampling, string>();

/** sha256 over the parts in a fixed order; sampling as stable JSON (memoised: one object serves a whole run). */
export function cacheKey(p: CacheKeyParts): string {
  let s = samplingJson.get(p.sampling);
  if (s === undefined) {
    s = stableStringify(p.sampling);
    samplingJson.set(p.sampling, s);
  }
  return sha256(JSON.stringify([p.provider, p.model, p.promptVersion, p.inputHash, s]));
}

export interface OutputRecord extends CacheKeyParts {
  key: string;
  status: OutputStatus;
  rawText?: string;
  parsed?: StoredOutput;
  error?: string;
  attempts: number;
  promptTokens: number;
  completionTokens: number;
}

/** The entity an output answers, within one dataset and extractor. */
export interface EntityRef {
  dataset: string;
  kind: EntityKind;
  entity: number;
}

interface OutputRow {
  key: string; provider: string; model: string; prompt_version: string; input_hash: string; sampling: string;
  status: OutputStatus; raw_text: string | null; parsed: string | null; error: string | null;
  attempts: number; prompt_tokens: number; completion_tokens: number;
}

function fromRow(r: OutputRow): OutputRecord {
  return {
    key: r.key, provider: r.provider, model: r.model, promptVersion: r.prompt_version, inputHash: r.input_hash,
    sampling: JSON.parse(r.sampling) as Sampling, status: r.status, rawText: r.raw_text ?? undefined,
    parsed: r.parsed ? (JSON.parse(r.parsed) as StoredOutput) : undefined, error: r.error ?? undefined,
    attempts: r.attempts, promptTokens: r.prompt_tokens, completionTokens: r.completion_tokens,
  };
}

/** The part of a stored output that planning needs (status only: parsed JSON stays in the database). */
export interface CachedStatus {
  status: OutputStatus;
  error?: string;
}

export interface LlmCache {
  get(key: string): OutputRecord | undefined;
  /** Status of every stored output of one extractor, in one query (a warm re-run plans from this alone). */
  statuses(parts: Pick<CacheKeyParts, 'provider' | 'model' | 'promptVersion'>): Map<string, CachedStatus>;
  /** Write an output and point its entities at it, in one transaction: committed as soon as it is known. */
  put(out: OutputRecord, entities: readonly EntityRef[]): void;
  /** Several `put`s in one transaction (one fsync), for local providers that answer thousands per second. */
  putMany(batch: readonly { out: OutputRecord; entities: readonly EntityRef[] }[]): void;
  /** Point entities at an existing key (cache hit from another dataset, or a batch request awaiting results). */
  assign(key: string, parts: Pick<CacheKeyParts, 'provider' | 'model' | 'promptVersion'>, entities: readonly EntityRef[]): void;
  /** entity → key for one dataset/kind/extractor. */
  assignments(dataset: string, kind: EntityKind, parts: Pick<CacheKeyParts, 'provider' | 'model' | 'promptVersion'>): Map<number, string>;
  /** Keys waiting for a batch result, with the parts needed to store it. */
  batchRequest(key: string): (CacheKeyParts & { file: string }) | undefined;
  addBatchRequests(parts: readonly (CacheKeyParts & { key: string })[], file: string): void;
}

/** Statements prepared once per store; every write is its own transaction so a kill loses nothing committed. */
export function openLlmCache(store: Store): LlmCache {
  const db = store.db;
  const getStmt = db.prepare('SELECT * FROM llm_outputs WHERE key = ?');
  const putStmt = db.prepare(`
    INSERT INTO llm_outputs (key, provider, model, prompt_version, input_hash, sampling, status, raw_text, parsed, error,
                             attempts, prompt_tokens, completion_tokens, created_at, updated_at)
    VALUES (@key, @provider, @model, @prompt_version, @input_hash, @sampling, @status, @raw_text, @parsed, @error,
            @attempts, @prompt_tokens, @completion_tokens, @now, @now)
    ON CONFLICT(key) DO UPDATE SET status = excluded.status, raw_text = excluded.raw_text, parsed = excluded.parsed,
      error = excluded.error, attempts = llm_outputs.attempts + excluded.attempts,
      prompt_tokens = llm_outputs.prompt_tokens + excluded.prompt_tokens,
      completion_tokens = llm_outputs.completion_tokens + excluded.completion_tokens, updated_at = excluded.updated_at`);
  const assignStmt = db.prepare(`
    INSERT INTO llm_entity_outputs (dataset, kind, entity, provider, model, prompt_version, key, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT(dataset, kind, entity, provider, model, prompt_version) DO UPDATE SET key = excluded.key, updated_at = excluded.updated_at`);
  const statusStmt = db.prepare('SELECT key, status, error FROM llm_outputs WHERE provider = ? AND model = ? AND prompt_version = ?');
  const listStmt = db.prepare('SELECT entity, key FROM llm_entity_outputs WHERE dataset = ? AND kind = ? AND provider = ? AND model = ? AND prompt_version = ?');
  const batchGet = db.prepare('SELECT * FROM llm_batch_requests WHERE key = ?');
  const batchPut = db.prepare(`INSERT OR REPLACE INTO llm_batch_requests (key, provider, model, prompt_version, input_hash, sampling, file, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);

  const assignRows = (key: string, p: Pick<CacheKeyParts, 'provider' | 'model' | 'promptVersion'>, entities: readonly EntityRef[], now: string): void => {
    for (const e of entities) assignStmt.run(e.dataset, e.kind, e.entity, p.provider, p.model, p.promptVersion, key, now);
  };

  const putRow = (out: OutputRecord, entities: readonly EntityRef[], now: string): void => {
    putStmt.run({
      key: out.key, provider: out.provider, model: out.model, prompt_version: out.promptVersion, input_hash: out.inputHash,
      sampling: stableStringify(out.sampling), status: out.status, raw_text: out.rawText ?? null,
      parsed: out.parsed ? JSON.stringify(out.parsed) : null, error: out.error ?? null, attempts: out.attempts,
      prompt_tokens: out.promptTokens, completion_tokens: out.completionTokens, now,
    });
    assignRows(out.key, out, entities, now);
  };

  return {
    get(key) {
      const r = getStmt.get(key) as OutputRow | undefined;
      return r ? fromRow(r) : undefined;
    },
    statuses(p) {
      const rows = statusStmt.all(p.provider, p.model, p.promptVersion) as { key: string; status: OutputStatus; error: string | null }[];
      return new Map(rows.map((r) => [r.key, r.error === null ? { status: r.status } : { status: r.status, error: r.error }]));
    },
    put(out, entities) {
      const now = new Date().toISOString();
      store.transaction(() => putRow(out, entities, now));
    },
    putMany(batch) {
      const now = new Date().toISOString();
      store.transaction(() => { for (const b of batch) putRow(b.out, b.entities, now); });
    },
    assign(key, parts, entities) {
      const now = new Date().toISOString();
      store.transaction(() => assignRows(key, parts, entities, now));
    },
    assignments(dataset, kind, p) {
      const rows = listStmt.all(dataset, kind, p.provider, p.model, p.promptVersion) as { entity: number; key: string }[];
      return new Map(rows.map((r) => [r.entity, r.key]));
    },
    batchRequest(key) {
      const r = batchGet.get(key) as (Omit<OutputRow, 'status'> & { file: string }) | undefined;
      if (!r) return undefined;
      return { provider: r.provider, model: r.model, promptVersion: r.prompt_version, inputHash: r.input_hash, sampling: JSON.parse(r.sampling) as Sampling, file: r.file };
    },
    addBatchRequests(parts, file) {
      const now = new Date().toISOString();
      store.transaction(() => {
        for (const p of parts) batchPut.run(p.key, p.provider, p.model, p.promptVersion, p.inputHash, stableStringify(p.sampling), file, now);
      });
    },
  };
}
