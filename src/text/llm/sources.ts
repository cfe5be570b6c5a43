import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Store } from '../../data/store/store.js';
import { DataError } from '../../util/errors.js';
import { sha256 } from '../../util/hash.js';
import { cacheKey, openLlmCache, type CacheKeyParts } from './cache.js';
import { pickFields, type EntityKind } from './inputs.js';

/** Lines of a JSON Lines file, gzip'ed when the name ends in .gz; each parsed value with its 1-based line. */
export async function* readJsonl(file: string): AsyncGenerator<{ value: Record<string, unknown>; line: number }> {
  const raw = createReadStream(file);
  const input = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const rl = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (!text.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new DataError({ file, line }, `not JSON: ${(e as Error).message}`);
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new DataError({ file, line }, 'expected a JSON object');
    yield { value: value as Record<string, unknown>, line };
  }
}

function entityId(value: Record<string, unknown>, field: string, count: number, file: string, line: number): number {
  const id = value[field];
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= count) {
    throw new DataError({ file, line, field }, `expected an integer id in [0, ${count}), got ${JSON.stringify(id)}`);
  }
  return id;
}

/**
 * Item metadata from a JSON Lines file `{item, ...fields}` (e.g. rlmrec_steam `items.jsonl.gz`, usable without a
 * train split), as prompt fields: `app_name` is shown as `name`; see `pickFields` for what is kept.
 */
export async function readItemMetadata(
  file: string, numItems: number, fields: readonly string[] = ['app_name', 'publisher', 'developer', 'genres', 'tags', 'price'],
): Promise<Map<number, Record<string, string | string[]>>> {
  const out = new Map<number, Record<string, string | string[]>>();
  for await (const { value, line } of readJsonl(file)) {
    const item = entityId(value, 'item', numItems, file, line);
    const { app_name: name, ...rest } = pickFields(value, fields);
    out.set(item, name ? { name, ...rest } : rest);
  }
  return out;
}

/**
 * Existing profile texts (`user_profiles.jsonl.gz`, `item_profiles.jsonl.gz` of rlmrec_amazon_book / rlmrec_steam,
 * xrec `item_profiles.jsonl.gz`): `{user|item, profile}` → text per entity, undefined where absent.
 */
export async function readProfileTexts(file: string, kind: EntityKind, count: number): Promise<(string | undefined)[]> {
  const texts: (string | undefined)[] = new Array(count).fill(undefined);
  for await (const { value, line } of readJsonl(file)) {
    const id = entityId(value, kind, count, file, line);
    const p = value.profile;
    if (typeof p !== 'string') throw new DataError({ file, line, field: 'profile' }, 'expected a string');
    texts[id] = p;
  }
  return texts;
}

export interface ImportProfilesOptions {
  dataset: string;
  kind: EntityKind;
  texts: readonly (string | undefined)[];
  /** Where the texts came from (file name); stored as the model so several sources can coexist. */
  source: string;
}

/** Stored under provider `dataset`, generator `dataset`: already-written LLM text, not produced by us. */
export const DATASET_PROVIDER = 'dataset';

/**
 * Import existing LLM profiles as summary records (provider and generator `dataset`), so they serve as the
 * semantic-prior text S without any extraction. Entities without text are recorded as skipped-empty.
 */
export function importProfiles(store: Store, opts: ImportProfilesOptions): { ok: number; skippedEmpty: number; model: string } {
  const cache = openLlmCache(store);
  const model = basename(opts.source);
  let ok = 0, skippedEmpty = 0;
  store.transaction(() => {
    opts.texts.forEach((text, entity) => {
      const t = text?.trim();
      const parts: CacheKeyParts = {
        provider: DATASET_PROVIDER, model, promptVersion: 'profile', inputHash: sha256(t ?? ''), sampling: { temperature: 0, maxTokens: 0 },
      };
      const ref = { dataset: opts.dataset, kind: opts.kind, entity };
      if (!t) {
        cache.put({ key: cacheKey(parts), ...parts, status: 'skipped-empty', attempts: 0, promptTokens: 0, completionTokens: 0 }, [ref]);
        skippedEmpty++;
        return;
      }
      cache.put({
        key: cacheKey(parts), ...parts, status: 'ok', rawText: t, attempts: 0, promptTokens: 0, completionTokens: 0,
        parsed: { reasoning: '', motivations: [], summary: t, generator: 'dataset' },
      }, [ref]);
      ok++;
    });
  });
  return { ok, skippedEmpty, model };
}
