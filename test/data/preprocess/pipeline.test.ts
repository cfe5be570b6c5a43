import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { nnz } from '../../../src/data/csr.js';
import { loadDataset } from '../../../src/data/load.js';
import { ManifestSchema } from '../../../src/data/preprocess/manifest.js';
import { prepareSplit } from '../../../src/data/preprocess/pipeline.js';
import { writeSplit } from '../../../src/data/preprocess/write.js';
import { ConfigError, DataError, LmmrecError } from '../../../src/util/errors.js';
import { sha256File } from '../../../src/util/hash.js';
import { BEAUTY_REVIEWS, beautyRaw, rawOf } from './helpers.js';
import { tempDir } from '../../helpers/temp-dir.js';

const now = () => new Date('2026-02-03T04:05:06.000Z');

test('tiny_beauty: filter, k-core, loo; manifest counts chain and add up; the folder loads', async () => {
  const result = await prepareSplit(beautyRaw(), { minRating: 3, kcore: { user: 3, item: 3 }, split: { kind: 'loo' }, seed: 5 }, { now });
  const m = ManifestSchema.parse(result.manifest);
  assert.deepEqual(m.steps.map((s) => s.name), ['rating-filter', 'dedup', 'kcore', 'densify', 'split']);
  assert.deepEqual(m.steps[0].in, { users: 30, items: 17, interactions: 142 });
  for (let k = 1; k < m.steps.length; k++) assert.deepEqual(m.steps[k].in, m.steps[k - 1].out, `step ${m.steps[k].name}`);
  const last = m.steps[m.steps.length - 1];
  assert.equal(m.output.train + m.output.valid + m.output.test, last.out.interactions);
  assert.deepEqual([m.output.users, m.output.items], [last.out.users, last.out.items]);
  assert.ok(m.output.train < 142 && m.output.test > 0);
  assert.equal(m.seed, 5);
  assert.equal(m.createdAt, '2026-02-03T04:05:06.000Z');
  assert.deepEqual(m.inputs, [{ path: BEAUTY_REVIEWS, sha256: await sha256File(BEAUTY_REVIEWS), bytes: readFileSync(BEAUTY_REVIEWS).length }]);

  const out = join(tempDir('prep'), 'beauty');
  await writeSplit(out, result);
  const ds = await loadDataset(out);
  assert.deepEqual([ds.numUsers, ds.numItems, nnz(ds.train), nnz(ds.valid), nnz(ds.test)], [m.output.users, m.output.items, m.output.train, m.output.valid, m.output.test]);
  assert.equal(ds.userRawIds![0], result.userRaw[0]);
  assert.equal(ds.reviews?.length, last.out.interactions);
  const firstReview = JSON.parse(gunzipSync(readFileSync(join(out, 'reviews.jsonl.gz'))).toString('utf8').split('\n')[0]) as { user_raw: string; text: string };
  assert.equal(firstReview.user_raw, beautyRaw().users[0]);
});

test('a random split is reproducible from the seed and changes with it', async () => {
  const spec = { split: { kind: 'ratio' as const, ratios: [0.6, 0.2, 0.2] as [number, number, number] } };
  const a = await prepareSplit(beautyRaw(), { ...spec, seed: 1 }, { now });
  const b = await prepareSplit(beautyRaw(), { ...spec, seed: 1 }, { now });
  const c = await prepareSplit(beautyRaw(), { ...spec, seed: 2 }, { now });
  assert.deepEqual(a.test, b.test);
  assert.deepEqual(a.manifest, b.manifest);
  assert.notDeepEqual(a.test, c.test);
  assert.equal(a.manifest.output.train + a.manifest.output.valid + a.manifest.output.test, 142);
});

test('an emptied dataset, bad options and an abort are errors', async () => {
  await assert.rejects(prepareSplit(beautyRaw(), { kcore: { user: 50, item: 1 }, split: { kind: 'loo' } }), (e: unknown) => e instanceof DataError && /no interactions left after the 50\/1 k-core/.test(e.message));
  await assert.rejects(prepareSplit(beautyRaw(), { split: { kind: 'loo' }, idOrder: 'random' } as never), ConfigError);
  await assert.rejects(prepareSplit(rawOf([['a', 'x']]), { split: { kind: 'loo' }, minRating: 3 }), ConfigError);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(prepareSplit(beautyRaw(), { split: { kind: 'loo' } }, { signal: ac.signal }), (e: unknown) => e instanceof LmmrecError && e.code === 'ABORTED');
});
