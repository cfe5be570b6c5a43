import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { hasEntry } from '../../../src/data/csr.js';
import type { Dataset } from '../../../src/data/dataset.js';
import { openStore, type Store } from '../../../src/data/store/store.js';
import { createOpenAiProvider } from '../../../src/text/llm/providers/openai.js';
import { extractMotivations, type ExtractOptions } from '../../../src/text/llm/runner.js';
import { LmmrecError } from '../../../src/util/errors.js';
import { fakeAnswer, startFakeOpenAiServer, type FakeOpenAiServer } from '../../helpers/fake-openai-server.js';
import { tinyBeauty } from './fixtures.js';

let server: FakeOpenAiServer;
let ds: Dataset;
let store: Store;

before(async () => {
  server = await startFakeOpenAiServer();
  const base = await tinyBeauty();
  // Valid/test reviews carry a marker: no request may contain it.
  ds = { ...base, reviews: base.reviews!.map((r) => (hasEntry(base.train, r.user, r.item) ? r : { ...r, text: `HELD-OUT ${r.text}` })) };
});
after(() => server.close());
beforeEach(() => {
  store = openStore(':memory:');
  server.chatCalls.length = 0;
  server.setChat(undefined);
});

function run(extra: Partial<ExtractOptions> = {}) {
  return extractMotivations({
    store, dataset: ds, provider: createOpenAiProvider({ model: 'fake-model', baseURL: server.baseURL }), kind: 'both',
    concurrency: 4, timeoutMs: 2000, retries: 3, backoff: { baseDelayMs: 5, maxDelayMs: 20 }, ...extra,
  });
}

function statusCounts(): Record<string, number> {
  const rows = store.db.prepare('SELECT status, COUNT(*) AS n FROM llm_outputs GROUP BY status').all() as { status: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

test('cold run answers every prompt once, within the concurrency limit; a warm re-run sends nothing', async () => {
  server.setChat(() => ({ type: 'answer', delayMs: 15 }));
  const cold = await run();
  const [items, users] = cold.phases;
  assert.equal(items.coverage.total, 17);
  assert.equal(users.coverage.total, 30);
  assert.equal(items.coverage.failed + users.coverage.failed, 0);
  assert.equal(items.coverage.ok + items.coverage.skippedEmpty, 17);
  assert.equal(users.coverage.ok, 30);
  // The two items without train reviews share one empty prompt: recorded as skipped-empty, never sent.
  assert.equal(items.coverage.skippedEmpty, 2);
  const sent = items.prompts - 1 + users.prompts;
  assert.equal(new Set(server.chatCalls.map((c) => c.lastUser)).size, sent);
  assert.equal(server.chatCalls.length, sent);
  assert.equal(cold.requests, sent);
  assert.ok(server.maxInFlight <= 4 && server.maxInFlight >= 2, `max in flight ${server.maxInFlight}`);
  assert.ok(cold.promptTokens > 0 && cold.completionTokens > 0);
  assert.ok(server.chatCalls.every((c) => !JSON.stringify(c.body.messages).includes('HELD-OUT')));
  assert.ok(server.chatCalls.every((c) => c.body.response_format?.type === 'json_schema'));
  // Users are prompted after items and quote the items' summaries.
  const firstUser = server.chatCalls.findIndex((c) => c.lastUser.startsWith('INTERACTED'));
  assert.ok(server.chatCalls.slice(firstUser).every((c) => c.lastUser.startsWith('INTERACTED')));
  assert.match(server.chatCalls[firstUser].lastUser, /fake summary [0-9a-f]{8}/);
  assert.deepEqual(users.notes, { fromExtraction: 15, fromDataset: 0, none: 2 });
  const stored = store.db.prepare("SELECT parsed FROM llm_outputs WHERE status = 'ok' LIMIT 1").get() as { parsed: string };
  assert.equal(JSON.parse(stored.parsed).generator, 'llm');

  const warm = await run();
  assert.equal(server.chatCalls.length, sent);
  assert.equal(warm.requests, 0);
  assert.equal(warm.phases[0].cacheHits, items.prompts);
  assert.equal(warm.phases[1].cacheHits, users.prompts);
  assert.deepEqual(warm.phases.map((p) => p.coverage), cold.phases.map((p) => p.coverage));
  const runs = store.db.prepare('SELECT status FROM llm_runs ORDER BY id').all() as { status: string }[];
  assert.deepEqual(runs.map((r) => r.status), ['done', 'done']);
});

test('429 (honouring retry-after), 500 and 503 are retried until the answer arrives', async () => {
  server.enqueue({ type: 'status', status: 429, retryAfterSeconds: 1 }, { type: 'status', status: 500 }, { type: 'status', status: 503 });
  const notices: string[] = [];
  const t0 = Date.now();
  const r = await run({ kind: 'items', limit: 1, onNotice: (m) => notices.push(m) });
  assert.ok(Date.now() - t0 >= 950, 'waited for retry-after: 1');
  assert.equal(r.phases[0].coverage.ok, 1);
  assert.equal(r.requests, 4);
  assert.equal(r.retries, 3);
  assert.equal(notices.length, 3);
  assert.match(notices[0], /retry in 1000 ms after: HTTP 429/);
  const row = store.db.prepare('SELECT attempts FROM llm_outputs').get() as { attempts: number };
  assert.equal(row.attempts, 4);
});

test('a hanging request times out and is retried; a cut-off response body is retried', async () => {
  server.enqueue({ type: 'hang' }, { type: 'raw', body: '{"id": "x", "choi' });
  const r = await run({ kind: 'items', limit: 1, timeoutMs: 150 });
  assert.equal(r.phases[0].coverage.ok, 1);
  assert.equal(r.retries, 2);
  assert.equal(server.chatCalls.length, 3);
});

test('exhausted retries are recorded as failed with the error, and retried by the next run', async () => {
  server.setChat(() => ({ type: 'status', status: 500, message: 'model overloaded' }));
  const r = await run({ kind: 'items', limit: 2, retries: 2 });
  assert.equal(r.phases[0].coverage.failed, 2);
  assert.equal(r.phases[0].failures.length, 2);
  assert.match(r.phases[0].failures[0].error, /HTTP 500.*model overloaded.*gave up after 3 attempts/);
  assert.equal(server.chatCalls.length, 6);
  assert.deepEqual(statusCounts(), { failed: 2 });
  server.setChat(undefined);
  const again = await run({ kind: 'items', limit: 2 });
  assert.equal(again.phases[0].coverage.ok, 2);
  assert.deepEqual(statusCounts(), { ok: 2 });
  const rows = store.db.prepare('SELECT attempts, error FROM llm_outputs').all() as { attempts: number; error: string | null }[];
  assert.ok(rows.every((x) => x.attempts === 4 && x.error === null));
});

test('an invalid answer gets one repair round with the error; a second invalid answer is a recorded failure', async () => {
  const good = JSON.stringify(fakeAnswer('x'));
  server.enqueue({ type: 'answer', content: good.slice(0, 40) }, { type: 'answer', content: '```json\n' + good + '\n```' });
  const r = await run({ kind: 'items', limit: 1 });
  assert.equal(r.phases[0].coverage.ok, 1);
  assert.equal(r.repairs, 1);
  const repairMsgs = server.chatCalls[1].body.messages!;
  assert.equal(repairMsgs.at(-2)!.role, 'assistant');
  assert.equal(repairMsgs.at(-2)!.content, good.slice(0, 40));
  assert.match(repairMsgs.at(-1)!.content, /could not be used: invalid JSON/);

  store = openStore(':memory:');
  server.enqueue({ type: 'answer', content: '{"reasoning": "r", "motivations": [], "summary": 3}' }, { type: 'answer', content: 'I cannot answer in JSON.' });
  const bad = await run({ kind: 'items', limit: 1 });
  assert.equal(bad.phases[0].coverage.failed, 1);
  const row = store.db.prepare('SELECT status, raw_text, error FROM llm_outputs').get() as { status: string; raw_text: string; error: string };
  assert.equal(row.status, 'failed');
  assert.equal(row.raw_text, 'I cannot answer in JSON.');
  assert.match(row.error, /after the repair round: no JSON object.*first answer: schema mismatch: summary/);
});

test('a server without json_schema support falls back to JSON mode once', async () => {
  const local = await startFakeOpenAiServer({ rejectJsonSchema: true });
  try {
    const notices: string[] = [];
    const provider = createOpenAiProvider({ model: 'm', baseURL: local.baseURL, onFallback: (m) => notices.push(m) });
    const r = await extractMotivations({ store, dataset: ds, provider, kind: 'items', concurrency: 1 });
    assert.equal(r.phases[0].coverage.failed, 0);
    assert.equal(notices.length, 1);
    const types = local.chatCalls.map((c) => c.body.response_format?.type);
    assert.equal(types[0], 'json_schema');
    assert.ok(types.slice(1).every((t) => t === 'json_object'));
    assert.equal(types.filter((t) => t === 'json_schema').length, 1);
  } finally {
    await local.close();
  }
});

test('a rejected API key stops the run with an LLM error; nothing is recorded for unsent records', async () => {
  server.setChat(() => ({ type: 'status', status: 401, message: 'invalid api key' }));
  await assert.rejects(run({ kind: 'items', concurrency: 1 }), (e: unknown) => e instanceof LmmrecError && e.code === 'LLM' && /HTTP 401/.test(e.message));
  assert.equal(server.chatCalls.length, 1);
  assert.deepEqual(statusCounts(), {});
  const runRow = store.db.prepare('SELECT status FROM llm_runs').get() as { status: string };
  assert.equal(runRow.status, 'failed');
});

test('dry run counts calls and estimates tokens (chars/4) without any request', async () => {
  const r = await run({ dryRun: true });
  assert.equal(server.chatCalls.length, 0);
  assert.equal(r.dryRun, true);
  const est = r.estimate!;
  const [items, users] = r.phases;
  assert.equal(est.calls, items.prompts - 1 + users.prompts);
  assert.ok(est.promptTokens > est.calls * 300, `${est.promptTokens} tokens for ${est.calls} calls`);
  assert.equal(est.maxCompletionTokens, est.calls * 800);
  assert.equal(est.costEstimate, undefined);
  const priced = await run({ dryRun: true, price: { inputPer1k: 1, outputPer1k: 2 } });
  assert.equal(priced.estimate!.costEstimate, priced.estimate!.promptTokens / 1000 + (2 * priced.estimate!.maxCompletionTokens) / 1000);
  assert.deepEqual(statusCounts(), {});
});

test('abort stops the run; committed answers are kept and the next run completes the rest', async () => {
  server.setChat(() => ({ type: 'answer', delayMs: 40 }));
  const controller = new AbortController();
  let seen = 0;
  const p = run({ concurrency: 2, signal: controller.signal, onProgress: () => { if (++seen === 6) controller.abort(); } });
  await assert.rejects(p, (e: unknown) => e instanceof LmmrecError && e.code === 'ABORTED');
  const kept = statusCounts().ok ?? 0;
  assert.ok(kept >= 4 && kept < 40, `kept ${kept}`);
  const before = server.chatCalls.length;
  const r = await run();
  assert.equal(r.phases[1].coverage.ok, 30);
  assert.ok(server.chatCalls.length - before <= 47 - kept, 'committed answers are not asked again');
});
