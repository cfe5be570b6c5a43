import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { csrFromPairs, hasEntry, nnz, toPairs, transpose } from '../../src/data/csr.js';
import type { Dataset } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/load.js';
import { injectNoise, noiseCount, writeNoisyCopy } from '../../src/data/noise.js';
import { ManifestSchema } from '../../src/data/preprocess/manifest.js';
import { ConfigError } from '../../src/util/errors.js';
import { sha256File } from '../../src/util/hash.js';
import { createRng } from '../../src/util/rng.js';
import { tempDir } from '../helpers/temp-dir.js';

const BOOK = join(import.meta.dirname, '..', 'fixtures', 'tiny_amazon_book');

function pairKeys(users: Int32Array, items: Int32Array): string[] {
  return Array.from(users, (u, k) => `${u},${items[k]}`);
}

test('noiseCount floors r·|train| without rounding error', () => {
  assert.equal(noiseCount(0.29, 100), 29);
  assert.equal(noiseCount(0.1, 306), 30);
  assert.equal(noiseCount(0, 306), 0);
});

test('injectNoise on tiny_amazon_book: exact count, outside every split, no duplicates, train only', async () => {
  const ds = await loadDataset(BOOK, { texts: false });
  const { dataset, added } = injectNoise(ds, 0.3, createRng(1));
  const m = Math.floor(0.3 * 306);
  assert.equal(added.users.length, m);
  assert.equal(new Set(pairKeys(added.users, added.items)).size, m);
  for (let k = 0; k < m; k++) {
    for (const split of [ds.train, ds.valid, ds.test]) assert.equal(hasEntry(split, added.users[k], added.items[k]), false);
    assert.equal(hasEntry(dataset.train, added.users[k], added.items[k]), true);
  }
  assert.equal(nnz(dataset.train), 306 + m);
  assert.deepEqual(dataset.trainT, transpose(dataset.train));
  assert.equal(dataset.valid, ds.valid);
  assert.equal(dataset.test, ds.test);
  const orig = toPairs(ds.train);
  for (let k = 0; k < orig.r.length; k++) assert.ok(hasEntry(dataset.train, orig.r[k], orig.c[k]));
});

test('injectNoise: same seed identical, different seed different', async () => {
  const ds = await loadDataset(BOOK, { texts: false });
  const a = injectNoise(ds, 0.2, createRng(7)).added;
  const b = injectNoise(ds, 0.2, createRng(7)).added;
  const c = injectNoise(ds, 0.2, createRng(8)).added;
  assert.deepEqual(a, b);
  assert.notDeepEqual(pairKeys(a.users, a.items), pairKeys(c.users, c.items));
});

/** 3 users × 4 items, 4 train + 1 valid + 2 test pairs: 5 free pairs. */
function tiny(): Dataset {
  const train = csrFromPairs(3, 4, Int32Array.of(0, 1, 2, 0), Int32Array.of(0, 1, 2, 3));
  const valid = csrFromPairs(3, 4, Int32Array.of(0), Int32Array.of(1));
  const test = csrFromPairs(3, 4, Int32Array.of(1, 2), Int32Array.of(0, 0));
  return { name: 'tiny', dir: '', numUsers: 3, numItems: 4, train, trainT: transpose(train), valid, test };
}

test('dense case: taking every free pair works; one more is an error', () => {
  const ds = tiny();
  const some = injectNoise(ds, 1, createRng(3));
  assert.equal(some.added.users.length, 4);
  const full = injectNoise(ds, 1.25, createRng(3));
  assert.deepEqual(pairKeys(full.added.users, full.added.items), ['0,2', '1,2', '1,3', '2,1', '2,3']);
  assert.equal(nnz(full.dataset.train) + nnz(ds.valid) + nnz(ds.test), 12);
  assert.throws(() => injectNoise(ds, 1.5, createRng(3)), (e: unknown) => e instanceof ConfigError && /needs 6 new pairs but only 5/.test(e.message));
  assert.throws(() => injectNoise(ds, -0.1, createRng(3)), ConfigError);
});

test('writeNoisyCopy: valid/test and side files byte-identical, manifest, reproducible, loadable', async () => {
  const ds = await loadDataset(BOOK);
  const parent = tempDir('noise');
  const a = await writeNoisyCopy(ds, 0.1, 2023, join(parent, 'a'));
  const b = await writeNoisyCopy(ds, 0.1, 2023, join(parent, 'b'));
  const c = await writeNoisyCopy(ds, 0.1, 2024, join(parent, 'c'));
  for (const f of ['valid.tsv', 'test.tsv', 'user_profiles.jsonl', 'item_profiles.jsonl']) {
    assert.equal(await sha256File(join(parent, 'a', f)), await sha256File(join(BOOK, f)), f);
  }
  assert.equal(readFileSync(join(parent, 'a', 'train.tsv'), 'utf8'), readFileSync(join(parent, 'b', 'train.tsv'), 'utf8'));
  assert.notEqual(readFileSync(join(parent, 'a', 'train.tsv'), 'utf8'), readFileSync(join(parent, 'c', 'train.tsv'), 'utf8'));
  assert.equal(readFileSync(join(parent, 'a', 'noise_added.tsv'), 'utf8').trim().split('\n').length, 30);
  assert.deepEqual(a.added, b.added);

  const m = ManifestSchema.parse(JSON.parse(readFileSync(join(parent, 'a', 'manifest.json'), 'utf8')));
  assert.equal(m.kind, 'noise');
  assert.equal(m.seed, 2023);
  const step = m.steps[m.steps.length - 1];
  assert.deepEqual([step.name, step.params.ratio, step.details?.added, step.in.interactions, step.out.interactions], ['noise', 0.1, 30, 306, 336]);
  assert.deepEqual(m.output, { users: 40, items: 468, train: 336, valid: 131, test: 131 });
  const trainInput = m.inputs.find((i) => i.path.endsWith('train.tsv'))!;
  assert.equal(trainInput.sha256, await sha256File(join(BOOK, 'train.tsv')));

  const noisy = await loadDataset(join(parent, 'a'));
  assert.equal(nnz(noisy.train), 336);
  assert.deepEqual(noisy.test, ds.test);
  assert.equal(noisy.userTexts?.text.length, 40);
  assert.deepEqual(readdirSync(parent).sort(), ['a', 'b', 'c']);
  assert.equal(c.manifest.seed, 2024);
});

test('writeNoisyCopy of a noisy copy chains the parent steps', async () => {
  const parent = tempDir('noise');
  await writeNoisyCopy(await loadDataset(BOOK, { texts: false }), 0.1, 1, join(parent, 'once'));
  const twice = await writeNoisyCopy(await loadDataset(join(parent, 'once'), { texts: false }), 0.1, 2, join(parent, 'twice'));
  assert.deepEqual(twice.manifest.steps.map((s) => [s.name, s.params.seed, s.details?.parentManifest]), [
    ['noise', 1, 'none'],
    ['noise', 2, 'steps copied'],
  ]);
  assert.equal(twice.manifest.output.train, 306 + 30 + 33);
});

test('writeNoisyCopy of an in-memory dataset writes splits from memory', async () => {
  const out = join(tempDir('noise'), 'tiny');
  await writeNoisyCopy(tiny(), 0.5, 1, out);
  assert.equal(readFileSync(join(out, 'valid.tsv'), 'utf8'), '0\t1\n');
  assert.equal(readFileSync(join(out, 'test.tsv'), 'utf8'), '1\t0\n2\t0\n');
  assert.equal(readFileSync(join(out, 'train.tsv'), 'utf8').trim().split('\n').length, 6);
});
