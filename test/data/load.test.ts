import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { hasEntry, nnz, rowOf } from '../../src/data/csr.js';
import { loadDataset } from '../../src/data/load.js';
import { datasetStats, degreeStats } from '../../src/data/stats.js';
import { DataError } from '../../src/util/errors.js';
import { copyFixture, FIXTURES, removeDir } from './bad-input-cases.js';

const BOOK = join(FIXTURES, 'tiny_amazon_book');
const BEAUTY = join(FIXTURES, 'tiny_beauty');

function tsvPairs(path: string): [number, number][] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('\t').map(Number) as [number, number]);
}

test('tiny_amazon_book: sizes, CSR contents equal the TSV files, transpose agrees', async () => {
  const ds = await loadDataset(BOOK);
  assert.equal(ds.name, 'tiny_amazon_book');
  assert.equal(ds.numUsers, 40);
  assert.equal(ds.numItems, 468);
  assert.deepEqual([nnz(ds.train), nnz(ds.valid), nnz(ds.test)], [306, 131, 131]);
  for (const split of ['train', 'valid', 'test'] as const) {
    const pairs = tsvPairs(join(BOOK, `${split}.tsv`));
    for (const [u, i] of pairs) assert.ok(hasEntry(ds[split], u, i), `${split} (${u}, ${i})`);
  }
  assert.equal(nnz(ds.trainT), 306);
  for (let u = 0; u < ds.numUsers; u++) for (const i of rowOf(ds.train, u)) assert.ok(hasEntry(ds.trainT, i, u));
  const row = rowOf(ds.train, 0);
  for (let k = 1; k < row.length; k++) assert.ok(row[k - 1] < row[k], 'rows sorted ascending');
  assert.deepEqual(ds.files, ['train.tsv', 'valid.tsv', 'test.tsv', 'user_profiles.jsonl', 'item_profiles.jsonl']);
});

test('tiny_amazon_book: profiles land on their ids', async () => {
  const ds = await loadDataset(BOOK);
  assert.equal(ds.userTexts?.source, 'user_profiles.jsonl');
  assert.equal(ds.userTexts?.text.length, 40);
  assert.equal(ds.itemTexts?.text.length, 468);
  const firstUser = JSON.parse(readFileSync(join(BOOK, 'user_profiles.jsonl'), 'utf8').split('\n')[0]) as { user: number; profile: string };
  assert.equal(ds.userTexts?.text[firstUser.user], firstUser.profile);
  assert.equal(ds.itemTexts?.text.filter((t) => t !== undefined).length, 468);
  assert.equal(ds.userRawIds, undefined, 'no map, no raw ids');
});

test('tiny_beauty: counts come from max id + 1; reviews keep file order and fields', async () => {
  const ds = await loadDataset(BEAUTY);
  assert.deepEqual([ds.numUsers, ds.numItems], [30, 17]);
  assert.deepEqual([nnz(ds.train), nnz(ds.valid), nnz(ds.test)], [82, 30, 30]);
  assert.equal(ds.reviews?.length, 142);
  const third = JSON.parse(readFileSync(join(BEAUTY, 'reviews.jsonl'), 'utf8').split('\n')[2]) as Record<string, unknown>;
  assert.deepEqual(ds.reviews?.[2], { user: third.user, item: third.item, rating: third.rating, time: third.time, text: third.text });
  assert.equal(ds.userTexts, undefined);
});

test('texts: false skips profiles and reviews', async () => {
  const ds = await loadDataset(BEAUTY, { texts: false });
  assert.equal(ds.reviews, undefined);
  assert.deepEqual(ds.files, ['train.tsv', 'valid.tsv', 'test.tsv']);
});

test('maps set the entity counts (users without interactions included) and carry titles', async () => {
  const dir = copyFixture('tiny_beauty');
  try {
    writeFileSync(join(dir, 'user_map.tsv'), Array.from({ length: 33 }, (_, u) => `${u}\tU${u}\n`).join(''));
    writeFileSync(join(dir, 'item_map.tsv'), Array.from({ length: 17 }, (_, i) => `${16 - i}\tI${16 - i}\t${i === 0 ? 'Last item' : ''}\n`).join(''));
    // reviews carry user_raw/item_raw from the real data, which these synthetic maps contradict
    rmSync(join(dir, 'reviews.jsonl'));
    const ds = await loadDataset(dir, { name: 'beauty-mapped' });
    assert.equal(ds.name, 'beauty-mapped');
    assert.deepEqual([ds.numUsers, ds.numItems], [33, 17]);
    assert.equal(ds.userRawIds?.[32], 'U32');
    assert.equal(ds.itemRawIds?.[0], 'I0');
    assert.equal(ds.itemTitles?.[16], 'Last item');
    assert.equal(ds.itemTitles?.[3], undefined);
    assert.equal(datasetStats(ds).userDegree.zero, 3);
  } finally {
    removeDir(dir);
  }
});

test('gzip JSON Lines load the same as plain; having both is an error', async () => {
  const dir = copyFixture('tiny_amazon_book');
  try {
    const plain = join(dir, 'user_profiles.jsonl');
    writeFileSync(`${plain}.gz`, gzipSync(readFileSync(plain)));
    await assert.rejects(loadDataset(dir), /both user_profiles\.jsonl and user_profiles\.jsonl\.gz exist/);
    rmSync(plain);
    const ds = await loadDataset(dir);
    const ref = await loadDataset(BOOK);
    assert.equal(ds.userTexts?.source, 'user_profiles.jsonl.gz');
    assert.deepEqual(ds.userTexts?.text, ref.userTexts?.text);
  } finally {
    removeDir(dir);
  }
});

test('items.jsonl metadata is kept per item and supplies titles when the map has none', async () => {
  const dir = copyFixture('tiny_beauty');
  try {
    writeFileSync(join(dir, 'items.jsonl'), '{"item": 2, "title": "Soap", "tags": ["a", "b"]}\n{"item": 0, "price": 3.5}\n');
    const ds = await loadDataset(dir);
    assert.equal(ds.itemMeta?.length, 17);
    assert.deepEqual(ds.itemMeta?.[2], { item: 2, title: 'Soap', tags: ['a', 'b'] });
    assert.deepEqual(ds.itemMeta?.[0], { item: 0, price: 3.5 });
    assert.equal(ds.itemMeta?.[1], undefined);
    assert.equal(ds.itemTitles?.[2], 'Soap');
    assert.equal(ds.itemTitles?.[0], undefined);
  } finally {
    removeDir(dir);
  }
});

test('a folder that does not exist is a DataError naming it', async () => {
  await assert.rejects(loadDataset(join(FIXTURES, 'no_such_dataset')), (e: unknown) => e instanceof DataError && /no_such_dataset: dataset folder not found/.test(e.message));
});

test('datasetStats on tiny_amazon_book matches the fixture README (4–12 train items, every user has valid and test)', async () => {
  const s = datasetStats(await loadDataset(BOOK));
  assert.deepEqual([s.users, s.items, s.train, s.valid, s.test], [40, 468, 306, 131, 131]);
  assert.equal(s.density, 306 / (40 * 468));
  assert.equal(s.densityAll, 568 / (40 * 468));
  assert.deepEqual([s.usersWithValid, s.usersWithTest], [40, 40]);
  assert.equal(s.userDegree.min, 4);
  assert.equal(s.userDegree.max, 12);
  assert.equal(s.userDegree.mean, 306 / 40);
  assert.equal(s.userDegree.zero, 0);
  assert.deepEqual(s.userTexts, { source: 'user_profiles.jsonl', covered: 40, fraction: 1 });
  assert.equal(s.itemTexts?.covered, 468);
});

test('datasetStats counts review coverage on tiny_beauty', async () => {
  const s = datasetStats(await loadDataset(BEAUTY));
  assert.deepEqual(s.reviews, { count: 142, usersCovered: 30, itemsCovered: 17, withText: 142 });
});

test('degreeStats: median of an even count averages the middle two', () => {
  const m = { rows: 4, cols: 5, indptr: Int32Array.from([0, 1, 4, 4, 6]), indices: Int32Array.from([0, 1, 2, 3, 0, 4]) };
  assert.deepEqual(degreeStats(m), { min: 0, max: 3, mean: 1.5, median: 1.5, zero: 1 });
});
