import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { packArrays, unpackArrays } from '../../../src/text/encoders/array-file.js';
import { createTfidfSvdEncoder, tfidfSvdFromBundle } from '../../../src/text/encoders/tfidf-svd.js';
import { fitTfidf, TfidfOptions, transformTfidf } from '../../../src/text/encoders/tfidf.js';
import { tokenize } from '../../../src/text/encoders/tokenize.js';

const FIX = join(import.meta.dirname, '..', '..', 'fixtures');
const jsonl = <T>(p: string): T[] => readFileSync(join(FIX, p), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as T);

const cos = (m: Float32Array, dim: number, a: number, b: number): number => {
  let s = 0;
  for (let j = 0; j < dim; j++) s += m[a * dim + j] * m[b * dim + j];
  return s; // rows are unit length
};
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

test('tokenize: NFKC + lowercase, unicode words, stopwords, bigrams after stopword removal', () => {
  assert.deepEqual(tokenize('The Café’s crème brûlée is NOT bad: 10/10!', { stopwords: true, bigrams: false }), ['café', 'crème', 'brûlée', 'bad', '10', '10']);
  assert.deepEqual(tokenize('I love the book', { stopwords: false, bigrams: false }), ['love', 'the', 'book']);
  assert.deepEqual(tokenize('I love the old book', { stopwords: true, bigrams: true }), ['love', 'old', 'book', 'love old', 'old book']);
  assert.deepEqual(tokenize('ｆｕｌｌ-width Ｔｅｘｔ', { stopwords: true, bigrams: false }), ['full', 'width', 'text']);
});

test('fitTfidf: smoothed idf, sublinear tf and L2 rows match a hand computation', () => {
  const opts = TfidfOptions.parse({ minDf: 1 });
  const { model, matrix } = fitTfidf(['apple banana apple', 'banana cherry', 'cherry durian'], opts);
  assert.deepEqual(model.vocab, ['apple', 'banana', 'cherry', 'durian']);
  const idf = (df: number): number => Math.log(4 / (1 + df)) + 1;
  assert.deepEqual(Array.from(model.idf), [idf(1), idf(2), idf(2), idf(1)]);
  const wa = (1 + Math.log(2)) * idf(1), wb = idf(2), n = Math.hypot(wa, wb);
  assert.deepEqual(Array.from(matrix.indptr), [0, 2, 4, 6]);
  assert.deepEqual(Array.from(matrix.indices.subarray(0, 2)), [0, 1]);
  assert.ok(Math.abs(matrix.values[0] - wa / n) < 1e-15);
  assert.ok(Math.abs(matrix.values[1] - wb / n) < 1e-15);
  const unseen = transformTfidf(model, ['durian zebra', 'zebra']);
  assert.deepEqual(Array.from(unseen.indptr), [0, 1, 1]);
  assert.equal(unseen.values[0], 1);
});

test('fitTfidf: minDf, maxDf and maxFeatures limits; empty vocabulary is an error naming the limits', () => {
  const docs = ['red red red blue', 'red green', 'red blue green', 'yellow'];
  assert.deepEqual(fitTfidf(docs, TfidfOptions.parse({ minDf: 2 })).model.vocab, ['blue', 'green', 'red']);
  assert.deepEqual(fitTfidf(docs, TfidfOptions.parse({ minDf: 2, maxDf: 0.5 })).model.vocab, ['blue', 'green']);
  assert.deepEqual(fitTfidf(docs, TfidfOptions.parse({ minDf: 1, maxFeatures: 2 })).model.vocab, ['blue', 'red']);
  assert.throws(() => fitTfidf(docs, TfidfOptions.parse({ minDf: 5 })), /minDf=5/);
});

const beauty = jsonl<{ item: number; text: string }>('tiny_beauty/reviews.jsonl');

test('tfidf-svd: shape, unit rows, bit-identical for a seed, error before fit', async () => {
  const texts = beauty.map((r) => r.text);
  const a = createTfidfSvdEncoder({ dim: 24, seed: 7 });
  await assert.rejects(a.encode(['x']), /not fitted/);
  await a.fit(texts);
  const b = createTfidfSvdEncoder({ dim: 24, seed: 7 });
  await b.fit(texts);
  const ea = await a.encode(texts), eb = await b.encode(texts);
  assert.equal(ea.length, texts.length * 24);
  assert.deepEqual(ea, eb);
  assert.equal(a.model, b.model);
  assert.match(a.model, /^tfidf-svd-24d-[0-9a-f]{16}$/);
  for (let r = 0; r < texts.length; r++) assert.ok(Math.abs(cos(ea, 24, r, r) - 1) < 1e-5, `row ${r} norm`);
  const s = a.singularValues!;
  for (let i = 1; i < 24; i++) assert.ok(s[i] <= s[i - 1]);
  const other = createTfidfSvdEncoder({ dim: 24, seed: 8 });
  await other.fit(texts);
  assert.notEqual(other.model, a.model);
  // A text with no known term embeds to the zero row (the mask logic downstream relies on it).
  const z = await a.encode(['qqqq zzzz']);
  assert.deepEqual(Array.from(z), new Array(24).fill(0));
});

test('tfidf-svd on real reviews: reviews of the same product are closer than reviews of different products', async () => {
  const enc = createTfidfSvdEncoder({ dim: 32 });
  const texts = beauty.map((r) => r.text);
  await enc.fit(texts);
  const e = await enc.encode(texts);
  const same: number[] = [], diff: number[] = [];
  for (let a = 0; a < beauty.length; a++) {
    for (let b = a + 1; b < beauty.length; b++) (beauty[a].item === beauty[b].item ? same : diff).push(cos(e, 32, a, b));
  }
  assert.ok(mean(same) > mean(diff) + 0.1, `same ${mean(same).toFixed(3)} vs different ${mean(diff).toFixed(3)}`);
});

test('tfidf-svd on real LLM profiles: a user is closer to the books they read than to other books', async () => {
  const users = jsonl<{ user: number; profile: string }>('tiny_amazon_book/user_profiles.jsonl');
  const items = jsonl<{ item: number; profile: string }>('tiny_amazon_book/item_profiles.jsonl');
  const train = readFileSync(join(FIX, 'tiny_amazon_book/train.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t').map(Number));
  const enc = createTfidfSvdEncoder({ dim: 64 });
  const corpus = [...users.map((u) => u.profile), ...items.map((i) => i.profile)];
  await enc.fit(corpus);
  const e = await enc.encode(corpus);
  const nu = users.length;
  const read = new Set(train.map(([u, i]) => `${u}:${i}`));
  let wins = 0;
  for (let u = 0; u < nu; u++) {
    const pos: number[] = [], neg: number[] = [];
    for (let i = 0; i < items.length; i++) (read.has(`${u}:${i}`) ? pos : neg).push(cos(e, 64, u, nu + i));
    if (mean(pos) > mean(neg)) wins++;
  }
  assert.ok(wins >= 0.9 * nu, `${wins}/${nu} users closer to their own books`);
});

test('tfidf-svd state round-trips through the array container with identical vectors; tampering is detected', async () => {
  const texts = beauty.map((r) => r.text);
  const enc = createTfidfSvdEncoder({ dim: 16, bigrams: true });
  await enc.fit(texts);
  const bytes = packArrays(enc.toBundle());
  const back = tfidfSvdFromBundle(unpackArrays(bytes, 'state.bin'), 'state.bin');
  assert.equal(back.model, enc.model);
  assert.deepEqual(back.options, enc.options);
  const fresh = ['My husband loves this shaving cream, smooth and no irritation.'];
  assert.deepEqual(await back.encode(fresh), await enc.encode(fresh));
  const tampered = unpackArrays(bytes, 'state.bin');
  (tampered.arrays.components as Float32Array)[3] += 1;
  assert.throws(() => tfidfSvdFromBundle(tampered, 'state.bin'), /state\.bin: field "model": content hash/);
  assert.throws(() => unpackArrays(bytes.subarray(0, bytes.length - 8), 'cut.bin'), /cut\.bin: .*truncated/);
});
