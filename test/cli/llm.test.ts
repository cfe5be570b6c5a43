import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { after, before, test } from 'node:test';
import { openStore } from '../../src/data/store/store.js';
import { fakeAnswer, startFakeOpenAiServer, type FakeOpenAiServer } from '../helpers/fake-openai-server.js';
import { tempDir } from '../helpers/temp-dir.js';

const BEAUTY = join(import.meta.dirname, '..', 'fixtures', 'tiny_beauty');
let server: FakeOpenAiServer;
before(async () => { server = await startFakeOpenAiServer(); });
after(() => server.close());

const cli = (args: string[]): Promise<string> => runCli(['llm', ...args], { withStderr: true });

test('llm extract with the rules provider: coverage report, labelled rule-based; a re-run is all cached', async () => {
  const ws = tempDir('cli');
  const out = await cli(['extract', '--data', BEAUTY, '--workspace', ws]);
  assert.match(out, /extraction with rules \(rules-v1@[0-9a-f]{8}, rule-based, no LLM\)/);
  assert.match(out, /items: 17 total, ok 15 \(88\.2%\), failed 0 \(0\.0%\), skipped-empty 2 \(11\.8%\)/);
  assert.match(out, /users: 30 total, ok 30/);
  assert.match(out, /reviews: 142 read, 82 used \(train pairs only\), 60 valid\/test or unknown pairs excluded/);
  const again = await cli(['extract', '--data', BEAUTY, '--workspace', ws, '--users']);
  assert.match(again, /users: 30 total, ok 30 .*30 distinct prompts, 30 cached/);
  const store = openStore(join(ws, 'lmmrec.sqlite'));
  const gen = store.db.prepare("SELECT DISTINCT provider, json_extract(parsed, '$.generator') AS g FROM llm_outputs WHERE status = 'ok'").all();
  store.close();
  assert.deepEqual(gen, [{ provider: 'rules', g: 'rules' }]);
});

test('llm extract --dry-run against a server sends nothing and prints calls and estimated tokens', async () => {
  const ws = tempDir('cli');
  const out = await cli(['extract', '--data', BEAUTY, '--workspace', ws, '--provider', 'openai', '--model', 'm', '--base-url', server.baseURL, '--dry-run', '--price-in', '0.15', '--price-out', '0.6']);
  assert.match(out, /would send 45 requests, ~\d+ prompt tokens \(chars\/4\), up to 36000 completion tokens, cost up to ~\d+\.\d{4}/);
  assert.equal(server.chatCalls.length, 0);
});

test('llm extract --provider openai against the server, --limit and --items', async () => {
  const ws = tempDir('cli');
  const out = await cli(['extract', '--data', BEAUTY, '--workspace', ws, '--provider', 'openai', '--model', 'm', '--base-url', server.baseURL, '--items', '--limit', '5', '--concurrency', '2']);
  assert.match(out, /extraction with openai m/);
  assert.match(out, /items: 5 total, ok 5/);
  assert.match(out, /5 requests \(0 retries, 0 repair rounds\)/);
});

test('llm extract: key, provider and flag errors say what to do', async () => {
  await assert.rejects(cli(['extract', '--data', BEAUTY, '--provider', 'openai', '--model', 'm', '--api-key-env', 'LMMREC_TEST_NO_SUCH_KEY']), /--api-key-env LMMREC_TEST_NO_SUCH_KEY: that environment variable is not set/);
  await assert.rejects(cli(['extract', '--data', BEAUTY, '--provider', 'openai']), /--provider openai needs --model/);
  await assert.rejects(cli(['extract', '--data', BEAUTY, '--provider', 'llama-cpp', '--workspace', tempDir('cli')]), /install node-llama-cpp@3\.21\.1 and pass --model-path/);
  await assert.rejects(cli(['extract', '--data', BEAUTY, '--users', '--items']), /--users or --items, not both/);
  await assert.rejects(cli(['extract', '--data', BEAUTY, '--model', 'x']), /--provider rules takes no --model/);
});

test('llm extract --batch-out then --batch-in fills the cache', async () => {
  const ws = tempDir('cli');
  const file = join(ws, 'req.jsonl');
  const out = await cli(['extract', '--data', BEAUTY, '--workspace', ws, '--provider', 'openai', '--model', 'gpt-x', '--items', '--batch-out', file]);
  assert.match(out, /wrote 15 requests to .*req\.jsonl \(2 entities already settled\)/);
  const results = readFileSync(file, 'utf8').trim().split('\n').map((l) => {
    const r = JSON.parse(l) as { custom_id: string; body: { messages: { content: string }[] } };
    const content = JSON.stringify(fakeAnswer(r.body.messages.map((m) => m.content).join('\n')));
    return JSON.stringify({ custom_id: r.custom_id, response: { status_code: 200, body: { choices: [{ message: { content } }] } }, error: null });
  });
  writeFileSync(join(ws, 'out.jsonl'), results.join('\n'));
  const ing = await cli(['extract', '--workspace', ws, '--batch-in', join(ws, 'out.jsonl')]);
  assert.match(ing, /15 results, 15 ok, 0 failed/);
});

test('llm import-profiles stores RLMRec profiles as dataset summaries', async () => {
  const ws = tempDir('cli');
  const out = await cli(['import-profiles', '--data', join(import.meta.dirname, '..', 'fixtures', 'tiny_amazon_book'), '--workspace', ws]);
  assert.match(out, /users: 40 profiles imported, 0 without text \(provider dataset, model user_profiles\.jsonl\)/);
  assert.match(out, /items: 468 profiles imported, 0 without text \(provider dataset, model item_profiles\.jsonl\)/);
});
