import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { fakeEmbedding, startFakeOpenAiServer, type FakeOpenAiServer } from '../../helpers/fake-openai-server.js';
import { createOpenAIEncoder } from '../../../src/text/encoders/openai.js';
import { LmmrecError } from '../../../src/util/errors.js';

/** What the fault proxy does with request n (0-based): answer itself, or forward (optionally late). */
type Fault = { status: number; headers?: Record<string, string>; body?: string } | { delayMs: number } | undefined;

interface Proxy {
  baseURL: string;
  requests: { input: string[] }[];
  maxInFlight: number;
  close(): Promise<void>;
}

/**
 * A real HTTP hop in front of the shared fake OpenAI server that injects 429 / 5xx / odd bodies and delays,
 * counting the requests and the peak concurrency the client produces.
 */
async function startFaultProxy(target: string, fault: (n: number) => Fault): Promise<Proxy> {
  const requests: { input: string[] }[] = [];
  let inFlight = 0;
  const state = { maxInFlight: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const n = requests.length;
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ input: (JSON.parse(body) as { input: string[] }).input });
      inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, inFlight);
      try {
        const f = fault(n);
        if (f && 'status' in f) {
          res.writeHead(f.status, { 'content-type': 'application/json', ...f.headers });
          res.end(f.body ?? JSON.stringify({ error: { message: `injected ${f.status}` } }));
          return;
        }
        if (f?.delayMs) await new Promise((r) => setTimeout(r, f.delayMs));
        const upstream = await fetch(target + (req.url ?? '').replace(/^\/v1/, ''), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        res.writeHead(upstream.status, { 'content-type': 'application/json' });
        res.end(await upstream.text());
      } catch {
        res.destroy(); // upstream gone (test over) or client left: nothing to answer
      } finally {
        inFlight--;
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    get maxInFlight() { return state.maxInFlight; },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

let fake: FakeOpenAiServer;
before(async () => { fake = await startFakeOpenAiServer({ embeddingDim: 12 }); });
after(async () => { await fake.close(); });

const texts = Array.from({ length: 600 }, (_, i) => `review ${i}: ${i % 7 === 0 ? 'great value' : 'smells lovely'}`);

test('openai encoder: 256 inputs per request, order kept, vectors as served, dimensions sent, progress', async () => {
  const proxy = await startFaultProxy(fake.baseURL, () => undefined);
  const enc = await createOpenAIEncoder({ baseURL: proxy.baseURL, apiKey: 'k', model: 'embed-small', dim: 8 });
  assert.deepEqual([enc.id, enc.model, enc.dim], ['openai', 'embed-small', 8]);
  const seen: number[] = [];
  const out = await enc.encode(texts, { onProgress: (p) => seen.push(p.done) });
  assert.deepEqual(proxy.requests.map((r) => r.input.length), [256, 256, 88]);
  assert.equal(out.length, 600 * 8);
  for (const i of [0, 255, 256, 599]) assert.deepEqual(out.subarray(i * 8, (i + 1) * 8), fakeEmbedding(texts[i], 8));
  assert.equal(seen.at(-1), 600);
  const last = fake.embeddingCalls.at(-1)!.body;
  assert.deepEqual([last.model, last.dimensions, last.encoding_format], ['embed-small', 8, 'float']);
  await proxy.close();
});

test('openai encoder: without dim, one probe request learns the width', async () => {
  const proxy = await startFaultProxy(fake.baseURL, () => undefined);
  const enc = await createOpenAIEncoder({ baseURL: proxy.baseURL, apiKey: 'k', model: 'm' });
  assert.equal(enc.dim, 12);
  assert.equal(proxy.requests.length, 1);
  const out = await enc.encode(['a', 'b']);
  assert.deepEqual(out.subarray(12, 24), fakeEmbedding('b', 12));
  await proxy.close();
});

test('openai encoder: concurrency never exceeds the limit', async () => {
  const proxy = await startFaultProxy(fake.baseURL, () => ({ delayMs: 40 }));
  const enc = await createOpenAIEncoder({ baseURL: proxy.baseURL, apiKey: 'k', model: 'm', dim: 4, batchSize: 50, concurrency: 3 });
  await enc.encode(texts);
  assert.equal(proxy.requests.length, 12);
  assert.equal(proxy.maxInFlight, 3);
  await proxy.close();
});

test('openai encoder: retries 429 (retry-after) and 5xx, then succeeds with the right vectors', async () => {
  const script: Fault[] = [{ status: 429, headers: { 'retry-after': '0' } }, { status: 500 }, { status: 503 }];
  const proxy = await startFaultProxy(fake.baseURL, (n) => script[n]);
  const enc = await createOpenAIEncoder({ baseURL: proxy.baseURL, apiKey: 'k', model: 'm', dim: 4, retryBaseMs: 5 });
  const out = await enc.encode(['x', 'y']);
  assert.equal(proxy.requests.length, 4);
  assert.deepEqual(out.subarray(4, 8), fakeEmbedding('y', 4));
  await proxy.close();
});

test('openai encoder: gives up after maxRetries, does not retry a 400, checks the vector width', async () => {
  const always500 = await startFaultProxy(fake.baseURL, () => ({ status: 500 }));
  const enc = await createOpenAIEncoder({ baseURL: always500.baseURL, apiKey: 'k', model: 'm', dim: 4, retryBaseMs: 1, maxRetries: 2 });
  await assert.rejects(enc.encode(['x']), (e: unknown) => e instanceof LmmrecError && e.code === 'LLM' && /failed after 3 attempts: HTTP 500/.test(e.message));
  assert.equal(always500.requests.length, 3);
  await always500.close();

  const bad = await startFaultProxy(fake.baseURL, () => ({ status: 400, body: JSON.stringify({ error: { message: 'model not found' } }) }));
  const enc400 = await createOpenAIEncoder({ baseURL: bad.baseURL, apiKey: 'k', model: 'nope', dim: 4, retryBaseMs: 1 });
  await assert.rejects(enc400.encode(['x']), /failed after 1 attempt: HTTP 400.*model not found/);
  assert.equal(bad.requests.length, 1);
  await bad.close();

  const wrong = await startFaultProxy(fake.baseURL, () => ({ status: 200, body: JSON.stringify({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: [1, 2] }], model: 'm' }) }));
  const encWrong = await createOpenAIEncoder({ baseURL: wrong.baseURL, apiKey: 'k', model: 'm', dim: 4 });
  await assert.rejects(encWrong.encode(['x']), /returned 2-dimensional vectors, expected 4/);
  await wrong.close();
});

test('openai encoder: an abort stops the run with the caller\'s reason', async () => {
  const proxy = await startFaultProxy(fake.baseURL, () => ({ delayMs: 200 }));
  const enc = await createOpenAIEncoder({ baseURL: proxy.baseURL, apiKey: 'k', model: 'm', dim: 4, batchSize: 10, concurrency: 1 });
  const ac = new AbortController();
  setTimeout(() => ac.abort(new Error('user stop')), 50);
  await assert.rejects(enc.encode(texts, { signal: ac.signal }), /user stop/);
  assert.ok(proxy.requests.length <= 2, `${proxy.requests.length} requests sent after abort`);
  await proxy.close();
});
