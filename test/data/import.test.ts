import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { importDataset } from '../../src/data/import.js';
import { openStore, type Store } from '../../src/data/store/store.js';
import { DataError, LmmrecError } from '../../src/util/errors.js';
import { sha256File } from '../../src/util/hash.js';
import { BAD_INPUT_CASES, copyFixture, expectedMessage, FIXTURES, removeDir } from './bad-input-cases.js';

const BOOK = join(FIXTURES, 'tiny_amazon_book');
const BEAUTY = join(FIXTURES, 'tiny_beauty');

/** Row count of every user table (all migrations), so "nothing written" covers tables added later too. */
function rowCounts(store: Store): Record<string, number> {
  const tables = store.db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'schema_migrations'")
    .all() as { name: string }[];
  return Object.fromEntries(tables.map(({ name }) => [name, (store.db.prepare(`SELECT COUNT(*) AS n FROM "${name}"`).get() as { n: number }).n]));
}

const allZero = (counts: Record<string, number>): boolean => Object.values(counts).every((n) => n === 0);

for (const c of BAD_INPUT_CASES) {
  test(`import fails on bad input (${c.name}) and writes nothing`, async () => {
    const dir = copyFixture(c.fixture);
    const store = openStore(':memory:');
    try {
      c.breakIt(dir);
      await assert.rejects(importDataset(store, dir), (e: unknown) => e instanceof DataError && expectedMessage(c).test(e.message));
      const counts = rowCounts(store);
      assert.ok(Object.keys(counts).length >= 3, 'tables exist');
      assert.ok(allZero(counts), JSON.stringify(counts));
    } finally {
      store.close();
      removeDir(dir);
    }
  });
}

test('import tiny_amazon_book: dataset row, manifest with file hashes and counts, profiles as entity texts', async () => {
  const store = openStore(':memory:');
  try {
    const phases = new Set<string>();
    const r = await importDataset(store, BOOK, { onProgress: (p) => phases.add(p.phase) });
    assert.deepEqual([...phases], ['load', 'hash', 'write']);
    assert.equal(r.name, 'tiny_amazon_book');
    assert.equal(r.replaced, false);
    const row = store.db.prepare('SELECT * FROM datasets WHERE id = ?').get(r.id) as { name: string; num_users: number; num_items: number; manifest: string; source_dir: string };
    assert.deepEqual([row.name, row.num_users, row.num_items, row.source_dir], ['tiny_amazon_book', 40, 468, BOOK]);
    const manifest = JSON.parse(row.manifest) as typeof r.manifest;
    assert.deepEqual(manifest, r.manifest);
    assert.deepEqual(manifest.counts, { users: 40, items: 468, train: 306, valid: 131, test: 131, userTexts: 40, itemTexts: 468, reviews: 0 });
    assert.deepEqual(Object.keys(manifest.files), ['train.tsv', 'valid.tsv', 'test.tsv', 'user_profiles.jsonl', 'item_profiles.jsonl']);
    assert.equal(manifest.files['train.tsv'].sha256, await sha256File(join(BOOK, 'train.tsv')));
    const texts = store.db.prepare('SELECT kind, source, COUNT(*) AS n FROM entity_texts GROUP BY kind ORDER BY kind').all();
    assert.deepEqual(texts, [
      { kind: 'item', source: 'item_profiles.jsonl', n: 468 },
      { kind: 'user', source: 'user_profiles.jsonl', n: 40 },
    ]);
  } finally {
    store.close();
  }
});

test('import tiny_beauty: reviews in file order with rating and time', async () => {
  const store = openStore(':memory:');
  try {
    const r = await importDataset(store, BEAUTY, { name: 'beauty' });
    const rows = store.db.prepare('SELECT seq, user, item, rating, time FROM reviews WHERE dataset_id = ? ORDER BY seq').all(r.id) as { seq: number; user: number; item: number; rating: number; time: number }[];
    assert.equal(rows.length, 142);
    assert.deepEqual(rows[1], { seq: 1, user: 0, item: 4, rating: 2, time: rows[1].time });
    assert.ok(Number.isInteger(rows[1].time) && rows[1].time > 1e9, 'unix seconds stored as integer');
    assert.equal(rowCounts(store).entity_texts, 0);
  } finally {
    store.close();
  }
});

test('re-import: same name errors without replace, replaces atomically with it, other datasets untouched', async () => {
  const store = openStore(':memory:');
  try {
    await importDataset(store, BEAUTY, { name: 'other' });
    const first = await importDataset(store, BOOK, { name: 'book' });
    await assert.rejects(importDataset(store, BOOK, { name: 'book' }), (e: unknown) => e instanceof LmmrecError && e.code === 'STORE' && /dataset "book" already exists/.test(e.message));
    const second = await importDataset(store, BOOK, { name: 'book', replace: true });
    assert.equal(second.replaced, true);
    assert.equal(first.replaced, false);
    const counts = rowCounts(store);
    assert.equal(counts.datasets, 2);
    assert.equal(counts.entity_texts, 508, 'old texts replaced, not duplicated');
    assert.equal(counts.reviews, 142, 'the other dataset keeps its reviews');
  } finally {
    store.close();
  }
});

test('a failure inside the write transaction rolls back everything, including the delete of a replaced dataset', async () => {
  const store = openStore(':memory:');
  try {
    await importDataset(store, BOOK, { name: 'book' });
    const before = rowCounts(store);
    const controller = new AbortController();
    const abortOnWrite = (p: { phase: string }): void => {
      if (p.phase === 'write') controller.abort(new LmmrecError('ABORTED', 'stop'));
    };
    await assert.rejects(
      importDataset(store, BEAUTY, { name: 'book', replace: true, signal: controller.signal, onProgress: abortOnWrite }),
      (e: unknown) => e instanceof LmmrecError && e.code === 'ABORTED',
    );
    assert.deepEqual(rowCounts(store), before);
    const row = store.db.prepare('SELECT num_users FROM datasets WHERE name = ?').get('book') as { num_users: number };
    assert.equal(row.num_users, 40, 'still the old dataset');

    const fresh = openStore(':memory:');
    const c2 = new AbortController();
    await assert.rejects(importDataset(fresh, BEAUTY, { signal: c2.signal, onProgress: (p) => p.phase === 'write' && c2.abort() }));
    assert.ok(allZero(rowCounts(fresh)));
    fresh.close();
  } finally {
    store.close();
  }
});

let ws: string;
before(() => {
  ws = copyFixture('tiny_beauty');
});

test('import into a store file on disk survives reopening', async () => {
  const path = join(ws, 'workspace', 'lmmrec.sqlite');
  const store = openStore(path);
  await importDataset(store, BEAUTY);
  store.close();
  const again = openStore(path);
  try {
    assert.equal(rowCounts(again).reviews, 142);
  } finally {
    again.close();
  }
});
