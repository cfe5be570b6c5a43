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
