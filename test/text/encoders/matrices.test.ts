import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../../src/data/store/store.js';
import { buildTextMatrices, usableText } from '../../../src/text/encoders/matrices.js';
import { motivationText } from '../../../src/text/llm/outputs.js';
import { inputHash, latestEncoderState, loadEncoderState, saveEncoderState } from '../../../src/text/encoders/store.js';
import { createTfidfSvdEncoder } from '../../../src/text/encoders/tfidf-svd.js';
import type { TextEncoder } from '../../../src/text/encoders/types.js';
import { sha256 } from '../../../src/util/hash.js';

const FIX = join(import.meta.dirname, '..', '..', 'fixtures');
const profiles = readFileSync(join(FIX, 'tiny_amazon_book/item_profiles.jsonl'), 'utf8').trim().split('\n')
  .map((l) => (JSON.parse(l) as { profile: string }).profile);

/** A deterministic stand-in encoder (vector from the text's hash) that records every text it is asked for. */
function countingEncoder(dim = 4, failOnCall?: number): TextEncoder & { seen: string[]; calls: number } {
  const enc = {
    id: 'test-hash', model: 'sha256', dim, seen: [] as string[], calls: 0,
    async encode(texts: readonly string[]): Promise<Float32Array> {
      enc.calls++;
      if (enc.calls === failOnCall) throw new Error('simulated crash');
      enc.seen.push(...texts);
      const out = new Float32Array(texts.length * dim);
      texts.forEach((t, i) => {
        const h = sha256(t);
        for (let j = 0; j < dim; j++) out[i * dim + j] = parseInt(h.slice(j * 2, j * 2 + 2), 16) / 255 + 0.01;
      });
      return out;
    },
  };
  return enc;
}

test('usableText: blank, missing and "None" carry no text', () => {
  assert.deepEqual(['', '   ', 'None', 'none.', undefined, null, ' A book. '].map(usableText), [undefined, undefined, undefined, undefined, undefined, undefined, 'A book.']);
  assert.equal(usableText('None of the above'), 'None of the above');
});

test('motivationText: "category: motivation; …" strongest first, ties in model order, empty → undefined', () => {
  const m = motivationText([
    { motivation: 'cheap refills', category: 'value', strength: 1 },
    { motivation: ' fresh breath all day ', category: 'functional', strength: 3 },
    { motivation: 'gift for dad', category: 'social', strength: 2 },
    { motivation: 'likes the mint taste', category: 'hedonic', strength: 3 },
    { motivation: '  ', category: 'novelty', strength: 3 },
  ]);
  assert.equal(m, 'functional: fresh breath all day; hedonic: likes the mint taste; social: gift for dad; value: cheap refills');
  assert.equal(motivationText([]), undefined);
});

test('buildTextMatrices: zero rows and mask 0 for missing / None / unknown-term texts; stats add up', async () => {
  const enc = createTfidfSvdEncoder({ dim: 16 });
  await enc.fit(profiles);
  const texts = [profiles[0], undefined, 'None', profiles[1], 'zzqx wvvq', '  '];
  const s = await buildTextMatrices({ texts, encoder: enc });
  assert.equal(s.matrix.length, 6 * 16);
  assert.deepEqual(Array.from(s.hasText), [1, 0, 0, 1, 0, 0]);
  assert.deepEqual(s.stats, { withText: 2, empty: 3, zeroVector: 1, computed: 3, reused: 0 });
  for (const r of [1, 2, 4, 5]) assert.ok(s.matrix.subarray(r * 16, (r + 1) * 16).every((x) => x === 0), `row ${r} is zero`);
  const direct = await enc.encode([profiles[0], profiles[1]]);
  assert.deepEqual(s.matrix.subarray(0, 16), direct.subarray(0, 16));
  assert.deepEqual(s.matrix.subarray(48, 64), direct.subarray(16, 32));
});

test('store cache: provenance per row, unchanged rows reused, changed rows recomputed, removed rows dropped', async () => {
  const store = openStore(':memory:');
  const cache = { store, collection: 'tiny/profiles/item' };
  const texts: (string | undefined)[] = profiles.slice(0, 30);
  texts[5] = texts[6]; // a duplicate text is encoded once
  const e1 = countingEncoder();
  const first = await buildTextMatrices({ texts, encoder: e1, cache });
  assert.equal(e1.seen.length, 29);
  assert.deepEqual([first.stats.computed, first.stats.reused], [30, 0]);
  const row = store.db.prepare('SELECT encoder, model, dim, input_hash, length(vector) AS bytes, created_at FROM text_embeddings WHERE collection = ? AND row = 3').get(cache.collection) as Record<string, unknown>;
  assert.deepEqual({ ...row, created_at: typeof row.created_at }, { encoder: 'test-hash', model: 'sha256', dim: 4, input_hash: inputHash(profiles[3]), bytes: 16, created_at: 'string' });
  assert.ok(!Number.isNaN(Date.parse(row.created_at as string)));

  const e2 = countingEncoder();
  const again = await buildTextMatrices({ texts, encoder: e2, cache });
  assert.equal(e2.calls, 0, 'warm cache makes no encoder call');
  assert.deepEqual(again.matrix, first.matrix);
  assert.deepEqual([again.stats.computed, again.stats.reused], [0, 30]);

  const changed = [...texts];
  changed[7] = 'A different description of book seven.';
  changed[8] = undefined;
  const e3 = countingEncoder();
  const third = await buildTextMatrices({ texts: changed, encoder: e3, cache });
  assert.deepEqual(e3.seen, ['A different description of book seven.']);
  assert.deepEqual([third.stats.computed, third.stats.reused, third.hasText[8]], [1, 28, 0]);
  const count = store.db.prepare('SELECT COUNT(*) AS n FROM text_embeddings WHERE collection = ?').get(cache.collection) as { n: number };
  assert.equal(count.n, 29);
  // Another encoder model is another space: nothing is reused across spaces.
  const other = { ...countingEncoder(), model: 'other' };
  const fourth = await buildTextMatrices({ texts: changed, encoder: other, cache });
  assert.equal(fourth.stats.reused, 0);
  store.close();
});

test('store cache: a run that crashes after the first batch resumes without recomputing it', async () => {
  const store = openStore(':memory:');
  const cache = { store, collection: 'big' };
  const texts = Array.from({ length: 2500 }, (_, i) => `text number ${i}`);
  const crashing = countingEncoder(4, 2);
  await assert.rejects(buildTextMatrices({ texts, encoder: crashing, cache }), /simulated crash/);
  const resumed = countingEncoder();
  const m = await buildTextMatrices({ texts, encoder: resumed, cache });
  assert.equal(resumed.seen.length, 2500 - 1024);
  assert.deepEqual([m.stats.computed, m.stats.reused, m.stats.withText], [1476, 1024, 2500]);
  store.close();
});

test('encoder states: saved by model id, latest per fit key, loadable by model', () => {
  const store = openStore(':memory:');
  saveEncoderState(store, { encoder: 'tfidf-svd', model: 'm1', fitKey: 'k', state: new Uint8Array([1, 2, 3]) });
  saveEncoderState(store, { encoder: 'tfidf-svd', model: 'm2', fitKey: 'k', state: new Uint8Array([4, 5]) });
  assert.equal(latestEncoderState(store, 'tfidf-svd', 'k')?.model, 'm2');
  assert.deepEqual(Array.from(loadEncoderState(store, 'tfidf-svd', 'm1')!.state), [1, 2, 3]);
  assert.equal(latestEncoderState(store, 'tfidf-svd', 'other'), undefined);
  store.close();
});
