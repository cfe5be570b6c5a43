import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { openStore } from '../../../src/data/store/store.js';
import { loadEntityOutputs, motivationText, summaryText } from '../../../src/text/llm/outputs.js';
import { importProfiles, readItemMetadata, readProfileTexts } from '../../../src/text/llm/sources.js';
import { FIXTURES } from './fixtures.js';
import { tempDir } from '../../helpers/temp-dir.js';

test('rlmrec_amazon_book profiles import as summary records (provider and generator "dataset")', async () => {
  const file = join(FIXTURES, 'tiny_amazon_book', 'user_profiles.jsonl');
  const texts = await readProfileTexts(file, 'user', 41);
  assert.equal(texts.filter(Boolean).length, 40);
  assert.equal(texts[40], undefined);
  const store = openStore(':memory:');
  const r = importProfiles(store, { dataset: 'tiny_amazon_book', kind: 'user', texts, source: file });
  assert.deepEqual(r, { ok: 40, skippedEmpty: 1, model: 'user_profiles.jsonl' });
  const out = loadEntityOutputs(store, { dataset: 'tiny_amazon_book', kind: 'user', provider: 'dataset', model: 'user_profiles.jsonl' }, 41);
  assert.equal(out.status.filter((s) => s === 'ok').length, 40);
  assert.equal(out.status[40], 'skipped-empty');
  assert.equal(out.outputs[0]!.generator, 'dataset');
  assert.equal(summaryText(out.outputs[0]), texts[0]);
  assert.equal(motivationText(out.outputs[0]?.motivations ?? []), undefined);
  // Importing again changes nothing.
  importProfiles(store, { dataset: 'tiny_amazon_book', kind: 'user', texts, source: file });
  assert.equal((store.db.prepare('SELECT COUNT(*) AS n FROM llm_entity_outputs').get() as { n: number }).n, 41);
});

test('profile files with a bad id name the line', async () => {
  const dir = tempDir('src');
  const f = join(dir, 'item_profiles.jsonl');
  writeFileSync(f, '{"item": 0, "profile": "a"}\n{"item": 9, "profile": "b"}\n');
  await assert.rejects(readProfileTexts(f, 'item', 2), /item_profiles\.jsonl:2: field "item": expected an integer id in \[0, 2\)/);
});

test('Steam item metadata (items.jsonl.gz lines) becomes prompt fields', async () => {
  const dir = tempDir('src');
  const f = join(dir, 'items.jsonl.gz');
  const lines = [
    { item: 0, product_id: '328100', title: 'Gunspell - Steam Edition', app_name: 'Gunspell - Steam Edition', genres: ['Adventure', 'Indie', 'RPG'], tags: ['Adventure', 'RPG', 'Indie', 'Puzzle', 'Match 3'], specs: ['Single-player'], developer: 'Ino-Co Plus', publisher: 'KISS ltd', release_date: '2014-11-07', price: 14.99, sentiment: 'Mixed', early_access: false },
    { item: 1, product_id: '363490', title: 'Escape Machines', app_name: 'Escape Machines', genres: ['Action'], tags: [], developer: '', publisher: 'Back To Basics Gaming', price: 0.99 },
  ];
  writeFileSync(f, gzipSync(lines.map((l) => JSON.stringify(l)).join('\n')));
  const meta = await readItemMetadata(f, 2);
  assert.deepEqual(meta.get(0), { name: 'Gunspell - Steam Edition', publisher: 'KISS ltd', developer: 'Ino-Co Plus', genres: ['Adventure', 'Indie', 'RPG'], tags: ['Adventure', 'RPG', 'Indie', 'Puzzle', 'Match 3'], price: '14.99' });
  assert.deepEqual(meta.get(1), { name: 'Escape Machines', publisher: 'Back To Basics Gaming', genres: ['Action'], price: '0.99' });
});

test('motivation text is "category: motivation; …" ordered by strength', () => {
  const o = {
    reasoning: '', summary: 'None', generator: 'llm' as const,
    motivations: [
      { motivation: 'a', category: 'value' as const, strength: 1, evidence: '' },
      { motivation: 'b', category: 'quality' as const, strength: 3, evidence: '' },
      { motivation: 'c', category: 'social' as const, strength: 1, evidence: '' },
    ],
  };
  assert.equal(motivationText(o.motivations), 'quality: b; value: a; social: c');
  assert.equal(summaryText(o), undefined);
});
