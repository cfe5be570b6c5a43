import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { test } from 'node:test';
import { encoderSpec } from '../../src/cli/text.js';
import { loadDataset } from '../../src/data/load.js';
import { readTextMatrices } from '../../src/text/encoders/embed.js';
import { reviewTexts } from '../../src/text/encoders/sources.js';
import { LmmrecError } from '../../src/util/errors.js';
import { fakeEmbedding, startFakeOpenAiServer } from '../helpers/fake-openai-server.js';
import { tempDir } from '../helpers/temp-dir.js';

const FIX = join(import.meta.dirname, '..', 'fixtures');
const tmp = tempDir('cli-text');

/** Run `lmmrec text …` in-process, returning what it printed on stdout. */
const run = (args: string[]): Promise<string> => runCli(['text', ...args]);

test('text embed --source profiles: stores rows, writes the matrices file, second run reuses everything', async () => {
  const ws = join(tmp, 'ws'), out = join(tmp, 'profiles.bin');
  const args = ['embed', '--data', join(FIX, 'tiny_amazon_book'), '--workspace', ws, '--source', 'profiles', '--dim', '16', '--out', out];
  const first = await run(args);
  assert.match(first, /tiny_amazon_book --source profiles: encoder tfidf-svd, model tfidf-svd-16d-[0-9a-f]{16}, dim 16/);
  assert.match(first, /S users +40 rows: 40 with text, 0 without \(mask 0\); computed 40, reused 0/);
  assert.match(first, /S items +468 rows: 468 with text/);
  const m = await readTextMatrices(out);
  assert.deepEqual([m.meta.numUsers, m.meta.numItems, m.meta.dim], [40, 468, 16]);
  assert.equal(m.get('S', 'items')!.matrix.length, 468 * 16);
  const second = await run(args);
  assert.match(second, /S users +40 rows: 40 with text, 0 without \(mask 0\); computed 0, reused 40/);
});

test('text embed --encoder openai against a local OpenAI-compatible server', async () => {
  const server = await startFakeOpenAiServer();
  const prev = process.env.OPENAI_API_KEY;
  process.env.OPENAI_API_KEY = 'test-key';
  try {
    const out = join(tmp, 'reviews-openai.bin');
    const printed = await run(['embed', '--data', join(FIX, 'tiny_beauty'), '--out', out, '--source', 'reviews',
      '--encoder', 'openai', '--model', 'embed-test', '--base-url', server.baseURL, '--dim', '8', '--batch-size', '10']);
    assert.match(printed, /encoder openai, model embed-test, dim 8/);
    const m = await readTextMatrices(out);
    const users = m.get('S', 'users')!;
    assert.equal(users.hasText.reduce((a, b) => a + b, 0), 30, 'every fixture user has a training review');
    // Row u is the server's vector for user u's concatenated training reviews.
    const { texts } = reviewTexts(await loadDataset(join(FIX, 'tiny_beauty')));
    for (const u of [0, 17, 29]) assert.deepEqual(users.matrix.subarray(u * 8, (u + 1) * 8), fakeEmbedding(texts.S.users[u]!, 8));
    assert.ok(server.embeddingCalls.every((c) => (c.body.input as string[]).length <= 10));
  } finally {
    if (prev === undefined) delete process.env.OPENAI_API_KEY; else process.env.OPENAI_API_KEY = prev;
    await server.close();
  }
});

test('text embed: flags that do not fit the encoder are usage errors', async () => {
  const base = { data: 'd', source: 'profiles' as const };
  const usage = (f: () => unknown, re: RegExp): void => assert.throws(f, (e: unknown) => e instanceof LmmrecError && e.code === 'USAGE' && re.test(e.message));
  usage(() => encoderSpec({ ...base, encoder: 'tfidf-svd', model: 'x' }), /--model does not apply to tfidf-svd/);
  usage(() => encoderSpec({ ...base, encoder: 'openai' }), /needs --model <embedding model name>/);
  usage(() => encoderSpec({ ...base, encoder: 'transformers', model: 'dir', dim: 8 }), /--dim does not apply to transformers/);
  assert.deepEqual(encoderSpec({ ...base, encoder: 'openai', model: 'm', baseUrl: 'http://x/v1' }, {}).name, 'openai');
  await assert.rejects(run(['embed', '--data', join(FIX, 'tiny_beauty'), '--source', 'reviews']), /give --workspace .* and\/or --out/);
  await assert.rejects(run(['embed', '--data', 'x', '--source', 'tweets']), /Allowed choices are profiles, reviews, motivations/);
});

test('text probe: popularity, text item-kNN and user·item text rows match a brute-force recall@20', async () => {
  const data = join(FIX, 'tiny_amazon_book'), out = join(tmp, 'probe.bin');
  await run(['embed', '--data', data, '--source', 'profiles', '--dim', '16', '--out', out]);
  const probe = JSON.parse(await run(['probe', '--data', data, '--text', out, '--threads', '1', '--json']));
  assert.deepEqual(probe.coverage, { users: 40, items: 468, numUsers: 40, numItems: 468 });
  assert.deepEqual(probe.rows.map((r: { scorer: string }) => r.scorer), ['popularity', 'item-kNN', 'user·item']);
  const popularity = JSON.parse(await runCli(['eval', 'popularity', data, '--json']));
  assert.equal(probe.rows[0].mean['recall@20'], popularity.mean['recall@20']);

  // the definition, written out: score(u, i) = Σ_{j ∈ train(u)} S_I[j] · S_I[i] (or S_U[u] · S_I[i]), train items
  // masked, top 20 by score (ties to the lower id), recall = hits / |test(u)|, mean over users with test items
  const ds = await loadDataset(data, { texts: false });
  const m = await readTextMatrices(out);
  const I = m.get('S', 'items')!.matrix, U = m.get('S', 'users')!.matrix, d = 16;
  const dot = (a: Float32Array, ai: number, b: Float32Array, bi: number): number => {
    let s = 0;
    for (let c = 0; c < d; c++) s += a[ai * d + c] * b[bi * d + c];
    return s;
  };
  const recall20 = (score: (u: number, i: number) => number): number => {
    let sum = 0, n = 0;
    for (let u = 0; u < ds.numUsers; u++) {
      const targets = ds.test.indices.subarray(ds.test.indptr[u], ds.test.indptr[u + 1]);
      if (targets.length === 0) continue;
      const seen = new Set(ds.train.indices.subarray(ds.train.indptr[u], ds.train.indptr[u + 1]));
      const ranked = [...Array(ds.numItems).keys()].filter((i) => !seen.has(i)).map((i) => [i, Math.fround(score(u, i))] as const)
        .sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 20).map(([i]) => i);
      sum += ranked.filter((i) => targets.includes(i)).length / targets.length;
      n++;
    }
    return sum / n;
  };
  const knn = recall20((u, i) => {
    let s = 0;
    for (let k = ds.train.indptr[u]; k < ds.train.indptr[u + 1]; k++) s += dot(I, ds.train.indices[k], I, i);
    return s;
  });
  assert.ok(Math.abs(probe.rows[1].mean['recall@20'] - knn) < 1e-9, `item-kNN recall@20 ${probe.rows[1].mean['recall@20']} vs ${knn}`);
  const match = recall20((u, i) => dot(U, u, I, i));
  assert.ok(Math.abs(probe.rows[2].mean['recall@20'] - match) < 1e-9, `user·item recall@20 ${probe.rows[2].mean['recall@20']} vs ${match}`);
  assert.notEqual(knn, probe.rows[0].mean['recall@20']);

  const table = await run(['probe', '--data', data, '--text', out, '--threads', '1']);
  assert.match(table, /text on 40 of 40 users, 468 of 468 items; \d+ users evaluated, protocol rlmrec/);
  assert.match(table, /\nitem-kNN +0\.\d{4}/);
});

test('text probe: matrices of another dataset are refused with both shapes named', async () => {
  const other = join(tmp, 'beauty.bin');
  await run(['embed', '--data', join(FIX, 'tiny_beauty'), '--source', 'reviews', '--dim', '8', '--out', other]);
  await assert.rejects(run(['probe', '--data', join(FIX, 'tiny_amazon_book'), '--text', other, '--threads', '1']), {
    code: 'DATA',
    message: /\d+ users × \d+ items, but the dataset .*tiny_amazon_book has 40 × 468/,
  });
});
