import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasEntry } from '../../../src/data/csr.js';
import { loadDataset } from '../../../src/data/load.js';
import { openStore, type Store } from '../../../src/data/store/store.js';
import { embedSource, loadFittedTfidfSvd, readTextMatrices, writeTextMatrices } from '../../../src/text/encoders/embed.js';
import { loadTfidfSvdFile, saveTfidfSvdFile } from '../../../src/text/encoders/tfidf-svd.js';
import { reviewTexts } from '../../../src/text/encoders/sources.js';
import { tempDir } from '../../helpers/temp-dir.js';

const FIX = join(import.meta.dirname, '..', '..', 'fixtures');
const tmp = tempDir('embed');

test('reviewTexts: only training reviews, each text once per entity, capped, counts reported', async () => {
  const ds = await loadDataset(join(FIX, 'tiny_beauty'));
  const { texts, stats } = reviewTexts(ds);
  assert.equal(stats.total, 142);
  assert.equal(stats.notInTrain + stats.empty + stats.duplicate + stats.used, stats.total);
  const isTrain = (r: { user: number; item: number }): boolean => hasEntry(ds.train, r.user, r.item);
  const heldOut = ds.reviews!.filter((r) => !isTrain(r));
  assert.equal(stats.notInTrain, heldOut.length);
  assert.ok(heldOut.length >= 60, 'fixture has valid/test reviews');
  // No valid/test review text reaches S (unless the same words are also a training review).
  const trainTexts = new Set(ds.reviews!.filter(isTrain).map((r) => r.text.trim()));
  const all = [...texts.S.users, ...texts.S.items].filter((t): t is string => t !== undefined);
  const leaked = heldOut.filter((r) => !trainTexts.has(r.text.trim()) && all.some((t) => t.includes(r.text.trim())));
  assert.deepEqual(leaked, []);
  // Every training review is in its user's and its item's text.
  for (const r of ds.reviews!.filter(isTrain)) {
    if (r.text.trim() === '') continue;
    assert.ok(texts.S.users[r.user]!.includes(r.text.trim()) && texts.S.items[r.item]!.includes(r.text.trim()));
  }
  const capped = reviewTexts(ds, { maxChars: 500 });
  for (const t of [...capped.texts.S.users, ...capped.texts.S.items]) if (t !== undefined) assert.ok(t.length <= 500);
  assert.ok(capped.stats.truncated > 0);
});

test('embedSource(profiles, tfidf-svd): shared space for users and items, state reused from the store, rows cached', async () => {
  const ds = await loadDataset(join(FIX, 'tiny_amazon_book'));
  const store = openStore(join(tmp, 'ws1', 'lmmrec.sqlite'));
  const fits: boolean[] = [];
  const opts = { dataset: ds, source: 'profiles' as const, encoder: { name: 'tfidf-svd' as const, options: { dim: 32 } }, store, onFit: (f: { reused: boolean }) => fits.push(f.reused) };
  const first = await embedSource(opts);
  assert.equal(first.S.users.rows, 40);
  assert.equal(first.S.items.rows, 468);
  assert.equal(first.M, undefined);
  assert.deepEqual([first.S.users.stats.withText, first.S.items.stats.withText], [40, 468]);
  const second = await embedSource(opts);
  assert.deepEqual(fits, [false, true]);
  assert.equal(second.encoder.model, first.encoder.model);
  assert.deepEqual([second.S.users.stats.computed, second.S.users.stats.reused], [0, 40]);
  assert.deepEqual(second.S.items.matrix, first.S.items.matrix);
  const refit = await embedSource({ ...opts, refit: true });
  assert.equal(refit.encoder.model, first.encoder.model, 'same corpus, options and seed: same content-addressed state');

  // Cold start: the state behind the recorded model embeds free text exactly like the corpus rows.
  const fitted = loadFittedTfidfSvd(store, first.encoder.model);
  const u0 = ds.userTexts!.text[0]!;
  assert.deepEqual(await fitted.encode([u0]), first.S.users.matrix.subarray(0, 32));
  assert.throws(() => loadFittedTfidfSvd(store, 'tfidf-svd-32d-0000'), /no fitted tfidf-svd state tfidf-svd-32d-0000/);
  const stateFile = join(tmp, 'state.bin');
  await saveTfidfSvdFile(fitted, stateFile);
  const fromFile = await loadTfidfSvdFile(stateFile);
  assert.equal(fromFile.model, first.encoder.model);
  assert.deepEqual(await fromFile.encode([u0]), first.S.users.matrix.subarray(0, 32));

  const file = join(tmp, 'tiny.bin');
  await writeTextMatrices(file, first, ds.name);
  const back = await readTextMatrices(file);
  assert.deepEqual(back.meta, { dataset: 'tiny_amazon_book', source: 'profiles', encoder: 'tfidf-svd', model: first.encoder.model, dim: 32, numUsers: 40, numItems: 468 });
  assert.deepEqual(back.get('S', 'users')!.matrix, first.S.users.matrix);
  assert.deepEqual(back.get('S', 'items')!.hasText, first.S.items.hasText);
  assert.equal(back.get('M', 'users'), undefined);
  store.close();
});

function insertOutput(store: Store, ds: string, kind: 'user' | 'item', entity: number, parsed: unknown, status = 'ok'): void {
  const now = new Date().toISOString();
  const key = `${kind}-${entity}-${status}`;
  store.db.prepare(`INSERT INTO llm_outputs (key, provider, model, prompt_version, input_hash, sampling, status, parsed, created_at, updated_at)
    VALUES (?, 'rules', 'lexicon', 'v1', ?, '{}', ?, ?, ?, ?)`).run(key, key, status, parsed === undefined ? null : JSON.stringify(parsed), now, now);
  store.db.prepare(`INSERT INTO llm_entity_outputs (dataset, kind, entity, provider, model, prompt_version, key, updated_at)
    VALUES (?, ?, ?, 'rules', 'lexicon', 'v1', ?, ?)`).run(ds, kind, entity, key, now);
}

test('embedSource(motivations): S from summaries, M from "category: motivation" strings, masks for failed / None / missing', async () => {
  const ds = await loadDataset(join(FIX, 'tiny_beauty'));
  const store = openStore(join(tmp, 'ws2', 'lmmrec.sqlite'));
  const out = (summary: string, ms: [string, string, number][]): unknown => ({
    reasoning: 'r', summary, generator: 'rules',
    motivations: ms.map(([motivation, category, strength]) => ({ motivation, category, strength, evidence: '' })),
  });
  insertOutput(store, ds.name, 'item', 0, out('A water flosser people buy for cleaner teeth.', [['cleaner gums', 'functional', 3], ['good price', 'value', 1]]));
  insertOutput(store, ds.name, 'item', 1, out('None', []));
  insertOutput(store, ds.name, 'item', 2, undefined, 'failed');
  insertOutput(store, ds.name, 'user', 0, out('Buys oral care gadgets and alcohol-free mouthwash.', [['gentle mouthwash', 'functional', 2], ['tries new gadgets', 'novelty', 3]]));
  insertOutput(store, ds.name, 'user', 1, out('Likes shaving products for her husband.', [['gift for husband', 'social', 2]]));
  await assert.rejects(
    embedSource({ dataset: ds, source: 'motivations', encoder: { name: 'tfidf-svd' }, store, motivations: { provider: 'openai' } }),
    /no motivation outputs for dataset "tiny_beauty" from provider openai \(stored runs: --llm-provider rules --llm-model lexicon\)/,
  );
  // The store holds one run, so no selector is needed.
  const r = await embedSource({ dataset: ds, source: 'motivations', store, encoder: { name: 'tfidf-svd', options: { dim: 4, minDf: 1 } } });
  assert.deepEqual(r.sourceStats, { extractedUsers: 2, extractedItems: 2 });
  assert.deepEqual(Array.from(r.S.items.hasText.subarray(0, 4)), [1, 0, 0, 0]);
  assert.deepEqual(Array.from(r.M!.items.hasText.subarray(0, 4)), [1, 0, 0, 0]);
  assert.deepEqual(Array.from(r.M!.users.hasText.subarray(0, 3)), [1, 1, 0]);
  assert.equal(r.S.users.stats.withText, 2);
  store.db.prepare(`INSERT INTO llm_entity_outputs (dataset, kind, entity, provider, model, prompt_version, key, updated_at)
    VALUES (?, 'item', 0, 'openai', 'gpt-x', 'v1', 'item-0-ok', ?)`).run(ds.name, new Date().toISOString());
  await assert.rejects(embedSource({ dataset: ds, source: 'motivations', encoder: { name: 'tfidf-svd' }, store }), /several extraction runs for dataset "tiny_beauty" match; pick one/);
  const row = store.db.prepare("SELECT input_hash FROM text_embeddings WHERE collection = 'tiny_beauty/motivations/M/item' AND row = 0").get() as { input_hash: string };
  const { sha256 } = await import('../../../src/util/hash.js');
  assert.equal(row.input_hash, sha256('functional: cleaner gums; value: good price'));
  store.close();
});

test('embedSource fitOn items: fits tfidf-svd on the item texts only, embeds users by the same map, keeps its own saved state', async () => {
  const ds = await loadDataset(join(FIX, 'tiny_amazon_book'));
  const store = openStore(join(tmp, 'ws-fit-on', 'lmmrec.sqlite'));
  const fits: { reused: boolean; corpus: number; model: string }[] = [];
  const base = { dataset: ds, source: 'profiles' as const, encoder: { name: 'tfidf-svd' as const, options: { dim: 16 } }, store, onFit: (f: { reused: boolean; corpus: number; model: string }) => fits.push(f) };
  const all = await embedSource(base);
  const items = await embedSource({ ...base, fitOn: 'items' });
  assert.deepEqual(fits.map((f) => [f.reused, f.corpus]), [[false, 508], [false, 468]], '40 user + 468 item profiles, then the 468 item profiles');
  assert.notEqual(items.encoder.model, all.encoder.model);
  assert.notDeepEqual(items.S.items.matrix, all.S.items.matrix);
  assert.equal(items.S.users.stats.withText, 40, 'users are still embedded');
  // each corpus finds its own saved state
  await embedSource({ ...base, fitOn: 'items' });
  await embedSource({ ...base, fitOn: 'all' });
  assert.deepEqual(fits.slice(2).map((f) => [f.reused, f.model]), [[true, items.encoder.model], [true, all.encoder.model]]);
  // the users' rows are the items-only state's map applied to their text
  const fitted = loadFittedTfidfSvd(store, items.encoder.model);
  assert.deepEqual(await fitted.encode([ds.userTexts!.text[0]!]), items.S.users.matrix.subarray(0, 16));
  store.close();
});
