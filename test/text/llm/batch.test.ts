import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../../src/data/store/store.js';
import { ingestBatchResults, writeBatchRequests } from '../../../src/text/llm/batch.js';
import { loadEntityOutputs } from '../../../src/text/llm/outputs.js';
import { createOpenAiProvider } from '../../../src/text/llm/providers/openai.js';
import { extractMotivations } from '../../../src/text/llm/runner.js';
import { fakeAnswer, startFakeOpenAiServer } from '../../helpers/fake-openai-server.js';
import { tinyBeauty } from './fixtures.js';
import { tempDir } from '../../helpers/temp-dir.js';

interface RequestLine { custom_id: string; method: string; url: string; body: { model: string; messages: { role: string; content: string }[]; response_format: { type: string; json_schema?: { strict: boolean } } } }

function readLines(file: string): RequestLine[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RequestLine);
}

function answer(line: RequestLine): string {
  const content = JSON.stringify(fakeAnswer(line.body.messages.map((m) => m.content).join('\n')));
  return JSON.stringify({
    id: `batch_req_${line.custom_id.slice(0, 6)}`, custom_id: line.custom_id,
    response: { status_code: 200, request_id: 'r', body: { choices: [{ index: 0, message: { role: 'assistant', content } }], usage: { prompt_tokens: 100, completion_tokens: 20 } } },
    error: null,
  });
}

test('batch mode: write Batch API requests (items first), ingest results into the cache, then users', async () => {
  const dir = tempDir('batch');
  const ds = await tinyBeauty();
  const store = openStore(':memory:');
  const file1 = join(dir, 'items.jsonl');
  const w1 = writeBatchRequests({ store, dataset: ds, model: 'gpt-x', kind: 'both', file: file1 });
  assert.deepEqual({ requests: w1.requests, settled: w1.settled, usersDeferred: w1.usersDeferred }, { requests: 15, settled: 2, usersDeferred: true });
  const lines = readLines(file1);
  assert.equal(lines.length, 15);
  for (const l of lines) {
    assert.match(l.custom_id, /^[0-9a-f]{64}$/);
    assert.equal(l.method, 'POST');
    assert.equal(l.url, '/v1/chat/completions');
    assert.equal(l.body.model, 'gpt-x');
    assert.equal(l.body.response_format.type, 'json_schema');
    assert.equal(l.body.response_format.json_schema!.strict, true);
    assert.match(l.body.messages[1].content, /^BASIC INFORMATION/);
  }

  // Results: 13 answers, one API error, one invalid answer, one id this store never wrote.
  const out1 = join(dir, 'items.out.jsonl');
  const results = lines.slice(0, 13).map(answer);
  results.push(JSON.stringify({ custom_id: lines[13].custom_id, response: null, error: { code: 'server_error', message: 'boom' } }));
  results.push(JSON.stringify({ custom_id: lines[14].custom_id, response: { status_code: 200, body: { choices: [{ message: { content: '{"summary": ' } }] } }, error: null }));
  results.push(JSON.stringify({ custom_id: 'f'.repeat(64), response: { status_code: 200, body: {} }, error: null }));
  writeFileSync(out1, `${results.join('\n')}\n`);
  const in1 = await ingestBatchResults(store, out1);
  assert.deepEqual(in1, { lines: 16, ok: 13, failed: 2, unknown: ['f'.repeat(64)] });
  const items = loadEntityOutputs(store, { dataset: ds.name, kind: 'item', provider: 'openai', model: 'gpt-x' }, ds.numItems);
  assert.equal(items.status.filter((s) => s === 'ok').length, 13);
  assert.equal(items.status.filter((s) => s === 'failed').length, 2);
  assert.equal(items.status.filter((s) => s === 'skipped-empty').length, 2);
  assert.equal(items.outputs.find(Boolean)!.generator, 'llm');

  // Second file: the two failed items again, and now the users.
  const file2 = join(dir, 'users.jsonl');
  const w2 = writeBatchRequests({ store, dataset: ds, model: 'gpt-x', kind: 'both', file: file2 });
  assert.deepEqual({ requests: w2.requests, usersDeferred: w2.usersDeferred }, { requests: 32, usersDeferred: false });
  const out2 = join(dir, 'users.out.jsonl');
  writeFileSync(out2, readLines(file2).map(answer).join('\n'));
  assert.deepEqual(await ingestBatchResults(store, out2), { lines: 32, ok: 32, failed: 0, unknown: [] });

  // An interactive run with the same model and sampling finds every item answer in the cache.
  const server = await startFakeOpenAiServer();
  try {
    const r = await extractMotivations({ store, dataset: ds, provider: createOpenAiProvider({ model: 'gpt-x', baseURL: server.baseURL }), kind: 'items' });
    assert.equal(server.chatCalls.length, 0);
    assert.equal(r.phases[0].coverage.ok, 15);
  } finally {
    await server.close();
  }
  writeFileSync(out2, `${answer(readLines(file2)[0])}\nnot json\n`);
  await assert.rejects(ingestBatchResults(store, out2), /users\.out\.jsonl:2: not JSON/);
});
