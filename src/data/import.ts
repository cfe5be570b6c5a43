import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LmmrecError } from '../util/errors.js';
import { sha256File } from '../util/hash.js';
import { nnz } from './csr.js';
import type { Dataset } from './dataset.js';
import { loadDataset } from './load.js';
import type { Store } from './store/store.js';

export interface ImportProgress {
  phase: 'load' | 'hash' | 'write';
  done: number;
  total: number;
}

export interface ImportOptions {
  /** Name in the store; defaults to the folder's basename. */
  name?: string;
  /** Replace an existing dataset of the same name (atomically); without it a name clash is an error. */
  replace?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
}

export interface DatasetManifest {
  /** Input files (relative to the source folder) with their SHA-256 and size. */
  files: Record<string, { sha256: string; bytes: number }>;
  counts: {
    users: number;
    items: number;
    train: number;
    valid: number;
    test: number;
    userTexts: number;
    itemTexts: number;
    reviews: number;
  };
}

export interface ImportResult {
  id: number;
  name: string;
  replaced: boolean;
  manifest: DatasetManifest;
}

/** Rows written between abort checks / progress reports inside the write transaction. */
const WRITE_BATCH = 2000;

/**
 * Validate a dataset folder completely (loadDataset), hash its input files, then write the dataset row, its
 * manifest, entity texts and reviews in ONE transaction, so a failure at any point leaves the store as it was.
 */
export async function importDataset(store: Store, dir: string, opts: ImportOptions = {}): Promise<ImportResult> {
  const report = opts.onProgress ?? (() => {});
  report({ phase: 'load', done: 0, total: 1 });
  const ds = await loadDataset(dir, { name: opts.name, signal: opts.signal });
  const name = ds.name;
  if (!opts.replace) assertNameFree(store, name);
  report({ phase: 'load', done: 1, total: 1 });

  const files = ds.files ?? [];
  const manifest: DatasetManifest = { files: {}, counts: counts(ds) };
  for (let k = 0; k < files.length; k++) {
    opts.signal?.throwIfAborted();
    const path = join(dir, files[k]);
    manifest.files[files[k]] = { sha256: await sha256File(path), bytes: (await stat(path)).size };
    report({ phase: 'hash', done: k + 1, total: files.length });
  }
  opts.signal?.throwIfAborted();
  return store.transaction(() => writeDataset(store, ds, manifest, opts));
}

function writeDataset(store: Store, ds: Dataset, manifest: DatasetManifest, opts: ImportOptions): ImportResult {
  const db = store.db;
  const existing = db.prepare('SELECT id FROM datasets WHERE name = ?').get(ds.name) as { id: number } | undefined;
  if (existing) {
    if (!opts.replace) assertNameFree(store, ds.name);
    // Explicit deletes rather than relying on ON DELETE CASCADE, which needs the foreign_keys pragma.
    for (const table of ['entity_texts', 'reviews']) db.prepare(`DELETE FROM ${table} WHERE dataset_id = ?`).run(existing.id);
    db.prepare('DELETE FROM datasets WHERE id = ?').run(existing.id);
  }
  const info = db
    .prepare('INSERT INTO datasets (name, source_dir, num_users, num_items, manifest, imported_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(ds.name, resolve(ds.dir), ds.numUsers, ds.numItems, JSON.stringify(manifest), new Date().toISOString());
  const id = Number(info.lastInsertRowid);

  const total = manifest.counts.userTexts + manifest.counts.itemTexts + manifest.counts.reviews;
  let done = 0;
  const tick = (): void => {
    done++;
    if (done % WRITE_BATCH === 0 || done === total) {
      opts.onProgress?.({ phase: 'write', done, total });
      opts.signal?.throwIfAborted();
    }
  };
  const text = db.prepare('INSERT INTO entity_texts (dataset_id, kind, entity, source, text) VALUES (?, ?, ?, ?, ?)');
  for (const [kind, texts] of [['user', ds.userTexts], ['item', ds.itemTexts]] as const) {
    if (!texts) continue;
    texts.text.forEach((t, entity) => {
      if (t === undefined) return;
      text.run(id, kind, entity, texts.source, t);
      tick();
    });
  }
  const review = db.prepare('INSERT INTO reviews (dataset_id, seq, user, item, rating, time, text, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  ds.reviews?.forEach((r, seq) => {
    review.run(id, seq, r.user, r.item, r.rating ?? null, r.time ?? null, r.text, r.summary ?? null);
    tick();
  });
  opts.signal?.throwIfAborted();
  return { id, name: ds.name, replaced: existing !== undefined, manifest };
}

function assertNameFree(store: Store, name: string): void {
  const row = store.db.prepare('SELECT 1 FROM datasets WHERE name = ?').get(name);
  if (row) throw new LmmrecError('STORE', `${store.path}: dataset "${name}" already exists; pass replace (--replace) to overwrite it`);
}

function counts(ds: Dataset): DatasetManifest['counts'] {
  const defined = (a: readonly (string | undefined)[] | undefined): number => (a ? a.filter((t) => t !== undefined).length : 0);
  return {
    users: ds.numUsers,
    items: ds.numItems,
    train: nnz(ds.train),
    valid: nnz(ds.valid),
    test: nnz(ds.test),
    userTexts: defined(ds.userTexts?.text),
    itemTexts: defined(ds.itemTexts?.text),
    reviews: ds.reviews?.length ?? 0,
  };
}
