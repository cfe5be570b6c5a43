import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasEntry, rowOf } from '../../../src/data/csr.js';
import type { Dataset } from '../../../src/data/dataset.js';
import { buildItemRecord, buildUserRecord, DEFAULT_PROMPT_BUILD, indexTrainReviews, pickFields } from '../../../src/text/llm/inputs.js';
import { loadPromptTemplate } from '../../../src/text/llm/prompts.js';
import { tinyBeauty } from './fixtures.js';

const opts = { ...DEFAULT_PROMPT_BUILD, domain: 'product' as const };

function allPrompts(ds: Dataset): string {
  const reviews = indexTrainReviews(ds);
  const parts: string[] = [];
  for (let i = 0; i < ds.numItems; i++) parts.push(JSON.stringify(buildItemRecord(ds, reviews, i, loadPromptTemplate('item'), opts).messages));
  const notes = new Array(ds.numItems).fill('some note');
  for (let u = 0; u < ds.numUsers; u++) parts.push(JSON.stringify(buildUserRecord(ds, reviews, u, loadPromptTemplate('user'), opts, { itemNotes: notes }).messages));
  return parts.join('\n');
}

test('no valid/test review reaches any item or user prompt (tiny_beauty, marked reviews)', async () => {
  const ds = await tinyBeauty();
  let marked = 0, kept = 0;
  const reviews = ds.reviews!.map((r, k) => {
    if (hasEntry(ds.train, r.user, r.item)) { kept++; return r; }
    marked++;
    return { ...r, text: `LEAKED-REVIEW-${k} ${r.text}` };
  });
  assert.ok(marked >= 60, `valid+test reviews: ${marked}`);
  const leaky = { ...ds, reviews };
  const text = allPrompts(leaky);
  assert.equal(text.match(/LEAKED-REVIEW/g), null);
  // The train reviews do reach the prompts (the check above is not vacuous).
  const firstTrain = reviews.find((r) => hasEntry(ds.train, r.user, r.item))!;
  assert.ok(text.includes(JSON.stringify(firstTrain.text.trim().split(/\s+/).slice(0, 6).join(' ')).slice(1, -1)));
  const stats = indexTrainReviews(leaky).stats;
  assert.equal(stats.notInTrain, marked);
  assert.equal(stats.total, marked + kept);
});

test('user prompts list only train items', async () => {
  const ds = await tinyBeauty();
  const reviews = indexTrainReviews(ds);
  const titles = ds.itemRawIds ?? Array.from({ length: ds.numItems }, (_, i) => `item ${i}`);
  for (let u = 0; u < ds.numUsers; u++) {
    const r = buildUserRecord(ds, reviews, u, loadPromptTemplate('user'), opts, { itemNotes: [] });
    const entries = JSON.parse(r.messages[1].content.slice('INTERACTED PRODUCTS: '.length)) as { title: string }[];
    const train = new Set([...rowOf(ds.train, u)].map((i) => titles[i]));
    assert.ok(entries.length >= 1 && entries.every((e) => train.has(e.title)), `user ${u}`);
  }
});

test('a review repeated across items (Amazon variants) stays with each item and is shown once to the user', async () => {
  const ds = await tinyBeauty();
  const items = [...rowOf(ds.train, 0)];
  assert.ok(items.length >= 2);
  const text = 'Same words on two variants of one product, great value for the price.';
  const reviews = [...ds.reviews!.filter((r) => r.user !== 0), { user: 0, item: items[0], text }, { user: 0, item: items[1], text }, { user: 0, item: items[1], text }];
  const dup = { ...ds, reviews };
  const idx = indexTrainReviews(dup);
  assert.equal(idx.stats.duplicateUserText, 2);
  for (const i of items.slice(0, 2)) {
    const r = buildItemRecord(dup, idx, i, loadPromptTemplate('item'), opts);
    assert.equal(r.messages[1].content.split(text).length - 1, 1, `item ${i}`);
  }
  let dropped = 0;
  const u = buildUserRecord(dup, idx, 0, loadPromptTemplate('user'), opts, { itemNotes: [], onDuplicateEntry: () => dropped++ });
  assert.equal(u.messages[1].content.split(text).length - 1, 1);
  assert.equal(dropped, 1);
});

test('an item without reviews or information is empty (recorded as skipped-empty, never sent)', async () => {
  const ds = await tinyBeauty();
  const idx = indexTrainReviews({ ...ds, reviews: [] });
  const r = buildItemRecord(ds, idx, 0, loadPromptTemplate('item'), opts);
  assert.equal(r.empty, true);
  assert.equal(r.messages[1].content, 'BASIC INFORMATION: {}\nREVIEWS: []');
});

test('pickFields keeps strings, numbers and string lists of the chosen fields', () => {
  const steam = { item: 0, title: 'Gunspell - Steam Edition', genres: ['Adventure', 'Indie', 'RPG'], publisher: 'KISS ltd', price: 14.99, early_access: false, specs: [] };
  assert.deepEqual(pickFields(steam, ['publisher', 'genres', 'price', 'early_access', 'specs', 'tags']), { publisher: 'KISS ltd', genres: ['Adventure', 'Indie', 'RPG'], price: '14.99' });
  assert.deepEqual(pickFields(undefined, ['x']), {});
});
