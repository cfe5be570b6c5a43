import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildItemRecord, buildUserRecord, DEFAULT_PROMPT_BUILD, indexTrainReviews } from '../../../src/text/llm/inputs.js';
import { estimateTokens, guessDomain, loadPromptTemplate, renderRepair, truncateWords } from '../../../src/text/llm/prompts.js';
import { yelpItems, yelpUsers } from './fixtures.js';
import { tempDir } from '../../helpers/temp-dir.js';

const opts = { ...DEFAULT_PROMPT_BUILD, domain: 'business' as const };

function dataOf(content: string, prefix: string): unknown {
  assert.ok(content.startsWith(prefix), content.slice(0, 40));
  return JSON.parse(content.slice(prefix.length));
}

test('prompt files are versioned: version = file version + hash of the text', () => {
  const t = loadPromptTemplate('item');
  assert.match(t.version, /^item\.v1@[0-9a-f]{8}$/);
  assert.match(loadPromptTemplate('user').version, /^user\.v1@[0-9a-f]{8}$/);
  const dir = tempDir('prompts');
  writeFileSync(join(dir, 'item.v1.md'), `${t.text}\nOne more line.`);
  const edited = loadPromptTemplate('item', 'v1', dir);
  assert.notEqual(edited.version, t.version);
  assert.throws(() => loadPromptTemplate('item', 'v9'), /prompt file .*item\.v9\.md not found/);
});

test('item prompt on real Yelp reviews: system steps, domain, categories, basic information and reviews', () => {
  const { dataset, examples } = yelpItems();
  const t = loadPromptTemplate('item');
  const reviews = indexTrainReviews(dataset);
  for (let item = 0; item < examples.length; item++) {
    const r = buildItemRecord(dataset, reviews, item, t, opts);
    assert.equal(r.messages.length, 2);
    const [system, user] = r.messages;
    assert.equal(system.role, 'system');
    assert.match(system.content, /why\*\* people choose a particular business/);
    for (const step of ['Step 1', 'Step 2', 'Step 3', 'Step 4']) assert.ok(system.content.includes(step));
    assert.ok(system.content.includes('[functional, hedonic, social, occasion, value, quality, emotional, identity, novelty, convenience]'));
    assert.ok(!system.content.includes('{DOMAIN}') && !system.content.includes('{CATEGORIES}'));
    const [infoLine, reviewLine] = user.content.split('\n');
    const info = dataOf(infoLine, 'BASIC INFORMATION: ') as Record<string, string>;
    assert.deepEqual(info, { name: examples[item].info.name, city: examples[item].info.city, categories: examples[item].info.categories });
    const shown = dataOf(reviewLine, 'REVIEWS: ') as string[];
    assert.equal(shown.length, examples[item].reviews.length);
    for (const s of shown) assert.ok(s.split(' ').length <= 121, `review of ${s.split(' ').length} words`);
    assert.equal(r.empty, false);
    assert.match(r.inputHash, /^[0-9a-f]{64}$/);
  }
  // Example 0's third review has 973 words: cut to 120 and marked.
  const long = (dataOf(buildItemRecord(dataset, reviews, 0, t, opts).messages[1].content.split('\n')[1], 'REVIEWS: ') as string[])[2];
  assert.equal(long.split(' ').length, 121);
  assert.ok(long.endsWith(' …'));
});

test('item prompt samples at most maxReviews reviews, deterministically per seed', () => {
  const { dataset } = yelpItems();
  const t = loadPromptTemplate('item');
  const reviews = indexTrainReviews(dataset);
  const few = { ...opts, maxReviews: 3 };
  const a = buildItemRecord(dataset, reviews, 1, t, few);
  const b = buildItemRecord(dataset, reviews, 1, t, few);
  const c = buildItemRecord(dataset, reviews, 1, t, { ...few, seed: 7 });
  assert.equal((dataOf(a.messages[1].content.split('\n')[1], 'REVIEWS: ') as string[]).length, 3);
  assert.equal(a.inputHash, b.inputHash);
  assert.notEqual(a.inputHash, c.inputHash);
});

test('user prompt on real Yelp reviews: one entry per business with its note and the user\'s own review', () => {
  const { dataset, examples } = yelpUsers();
  const t = loadPromptTemplate('user');
  const reviews = indexTrainReviews(dataset);
  const notes = dataset.itemTexts!.text.map((x) => x && truncateWords(x, 60));
  for (let user = 0; user < examples.length; user++) {
    const r = buildUserRecord(dataset, reviews, user, t, opts, { itemNotes: notes });
    const entries = dataOf(r.messages[1].content, 'INTERACTED BUSINESSES: ') as { title: string; motivation_note: string; review: string }[];
    assert.equal(entries.length, 6);
    assert.deepEqual(entries.map((e) => e.title), examples[user].interactions.map((i) => i.title));
    assert.ok(entries[0].review.startsWith(examples[user].interactions[0].review.trim().split(/\s+/).slice(0, 5).join(' ')));
    assert.ok(entries.every((e) => e.motivation_note !== 'None' && e.review !== 'None'));
    assert.match(r.messages[0].content, /why\*\* a specific person makes their choices/);
    assert.equal(r.source.primary.length, 6);
  }
});

test('user prompt: at most maxUserItems entries; no note and no review gives "None" and an empty record', () => {
  const { dataset } = yelpUsers();
  const t = loadPromptTemplate('user');
  const reviews = indexTrainReviews(dataset);
  const r = buildUserRecord(dataset, reviews, 2, t, { ...opts, maxUserItems: 4 }, { itemNotes: [] });
  const entries = dataOf(r.messages[1].content, 'INTERACTED BUSINESSES: ') as { motivation_note: string }[];
  assert.equal(entries.length, 4);
  assert.ok(entries.every((e) => e.motivation_note === 'None'));
  const bare = { ...dataset, reviews: [] };
  const empty = buildUserRecord(bare, indexTrainReviews(bare), 2, t, opts, { itemNotes: [] });
  assert.equal(empty.empty, true);
});

test('repair message carries the error and the bad answer; helpers', () => {
  const repair = loadPromptTemplate('repair');
  const msgs = renderRepair(repair, [{ role: 'system', content: 's' }, { role: 'user', content: 'u' }], '{"bad"', 'invalid JSON: x');
  assert.equal(msgs.length, 4);
  assert.equal(msgs[2].role, 'assistant');
  assert.equal(msgs[2].content, '{"bad"');
  assert.match(msgs[3].content, /invalid JSON: x/);
  assert.match(msgs[3].content, /only one valid JSON object/);
  assert.equal(estimateTokens([{ role: 'user', content: 'x'.repeat(10) }]), 3);
  assert.equal(truncateWords('  a  b\n c ', 5), 'a b c');
  assert.equal(truncateWords('a b c d', 2), 'a b …');
  assert.deepEqual(['rlmrec_yelp', 'rlmrec_amazon_book', 'rlmrec_steam', 'amazon2018_all_beauty_5'].map(guessDomain), ['business', 'book', 'game', 'product']);
});

test('Steam-style item metadata (no reviews, no train split) still gives a non-empty game prompt', () => {
  const { dataset } = yelpItems();
  const steam = {
    ...dataset, name: 'rlmrec_steam', reviews: [], itemTexts: undefined,
    itemTitles: ['Gunspell - Steam Edition', 'Escape Machines', undefined, undefined, undefined],
    itemMeta: [
      { item: 0, title: 'Gunspell - Steam Edition', genres: ['Adventure', 'Indie', 'RPG'], tags: ['Puzzle', 'Match 3'], publisher: 'KISS ltd', developer: 'Ino-Co Plus', price: 14.99, specs: ['Single-player'] },
      { item: 1, title: 'Escape Machines', genres: ['Action'], publisher: 'Back To Basics Gaming' },
      undefined, undefined, undefined,
    ],
  };
  const t = loadPromptTemplate('item');
  const game = { ...opts, domain: guessDomain(steam.name) };
  const r = buildItemRecord(steam, indexTrainReviews(steam), 0, t, game);
  assert.equal(r.empty, false);
  assert.match(r.messages[0].content, /people choose a particular game/);
  const info = dataOf(r.messages[1].content.split('\n')[0], 'BASIC INFORMATION: ');
  assert.deepEqual(info, { name: 'Gunspell - Steam Edition', publisher: 'KISS ltd', developer: 'Ino-Co Plus', genres: ['Adventure', 'Indie', 'RPG'], tags: ['Puzzle', 'Match 3'], price: '14.99' });
  assert.equal(buildItemRecord(steam, indexTrainReviews(steam), 2, t, game).empty, true);
});
