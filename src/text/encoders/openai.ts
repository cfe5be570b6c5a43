import OpenAI, { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import pLimit from 'p-limit';
import { LmmrecError } from '../../util/errors.js';
import type { EncodeOptions, TextEncoder } from './types.js';

export interface OpenAIEncoderOptions {
  /** Server base URL including /v1 (OpenAI, Ollama, vLLM, llama.cpp server, LM Studio…). */
  baseURL?: string;
  /** Key sent as a bearer token; local servers usually accept any value. */
  apiKey: string;
  model: string;
  /**
   * Output width. Given: sent as `dimensions` (text-embedding-3-* shorten their vectors) and every answer
   * is checked against it. Omitted: one probe request at creation learns the model's native width.
   */
  dim?: number;
  /** Inputs per request (OpenAI accepts up to 2048; smaller batches retry cheaper). */
  batchSize?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** Retries after the first attempt, for 429, 5xx, timeouts and dropped connections. */
  maxRetries?: number;
  /** First backoff; doubles per retry (a server's retry-after wins when it sends one). */
  retryBaseMs?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
}

const MAX_RETRY_AFTER_MS = 60_000;

/**
 * The `openai` encoder: any OpenAI-compatible /v1/embeddings endpoint through the openai SDK. Texts are
 * sent in batches with bounded concurrency; rate limits and server errors are retried with exponential
 * backoff here (the SDK's own retries are off so attempts and delays are ours to bound and report).
 */
export async function createOpenAIEncoder(opts: OpenAIEncoderOptions & { signal?: AbortSignal }): Promise<TextEncoder> {
  const batchSize = opts.batchSize ?? 256;
  const concurrency = opts.concurrency ?? 4;
  const maxRetries = opts.maxRetries ?? 5;
  const retryBaseMs = opts.retryBaseMs ?? 500;
  for (const [k, v] of Object.entries({ batchSize, concurrency, dim: opts.dim ?? 1 })) {
    if (!Number.isInteger(v) || v <= 0) throw new LmmrecError('CONFIG', `openai encoder: ${k} must be a positive integer, got ${v}`);
  }
  const client = new OpenAI({ baseURL: opts.baseURL, apiKey: opts.apiKey, maxRetries: 0, timeout: opts.timeoutMs ?? 60_000 });
  const where = opts.baseURL ?? 'https://api.openai.com/v1';

  async function request(input: string[], signal: AbortSignal | undefined, expectDim: number | undefined): Promise<Float32Array[]> {
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      try {
        const res = await client.embeddings.create(
          { model: opts.model, input, encoding_format: 'float', ...(opts.dim !== undefined && { dimensions: opts.dim }) },
          { signal },
        );
        return checkResponse(res.data, input.length, expectDim);
      } catch (e) {
        if (e instanceof APIUserAbortError) throw signal?.reason ?? e;
        const wait = retryDelay(e, attempt, retryBaseMs);
        if (wait === undefined || attempt >= maxRetries) throw failure(e, attempt);
        await sleep(wait, signal);
      }
    }
  }

  function checkResponse(data: { index: number; embedding: number[] | string }[], n: number, expectDim: number | undefined): Float32Array[] {
    if (data.length !== n) throw new LmmrecError('LLM', `${where}: embeddings answer has ${data.length} vectors for ${n} inputs`);
    const out: Float32Array[] = new Array(n);
    for (const d of data) {
      if (!Array.isArray(d.embedding)) throw new LmmrecError('LLM', `${where}: embedding ${d.index} is not a float list`);
      if (!(d.index >= 0 && d.index < n) || out[d.index]) throw new LmmrecError('LLM', `${where}: embeddings answer has a bad or repeated index ${d.index}`);
      if (expectDim !== undefined && d.embedding.length !== expectDim) {
        throw new LmmrecError('LLM', `${where}: model ${opts.model} returned ${d.embedding.length}-dimensional vectors, expected ${expectDim}`);
      }
      out[d.index] = Float32Array.from(d.embedding);
    }
    return out;
  }

  function failure(e: unknown, attempt: number): LmmrecError {
    if (e instanceof LmmrecError) return e;
    const what = e instanceof APIError && e.status !== undefined ? `HTTP ${e.status}: ${e.message}` : (e as Error).message;
    const tries = attempt + 1;
    return new LmmrecError('LLM', `${where}: embeddings request for model ${opts.model} failed after ${tries} attempt${tries > 1 ? 's' : ''}: ${what}`, { cause: e });
  }

  const dim = opts.dim ?? (await request(['dimension probe'], opts.signal, undefined))[0].length;
  if (dim === 0) throw new LmmrecError('LLM', `${where}: model ${opts.model} returned an empty embedding`);
  const limit = pLimit(concurrency);

  return {
    id: 'openai',
    model: opts.model,
    dim,
    async encode(texts, eo: EncodeOptions = {}) {
      const out = new Float32Array(texts.length * dim);
      let done = 0;
      const batches: number[] = [];
      for (let s = 0; s < texts.length; s += batchSize) batches.push(s);
      // The first failure cancels the batches still queued or in flight instead of letting them run on.
      const failed = new AbortController();
      const signal = eo.signal ? AbortSignal.any([eo.signal, failed.signal]) : failed.signal;
      await Promise.all(batches.map((start) => limit(async () => {
        const input = texts.slice(start, start + batchSize);
        try {
          const vectors = await request(input, signal, dim);
          vectors.forEach((v, i) => out.set(v, (start + i) * dim));
        } catch (e) {
          failed.abort(e);
          throw e;
        }
        done += input.length;
        eo.onProgress?.({ done, total: texts.length });
      })));
      return out;
    },
  };
}

/** Backoff before the next attempt, or undefined when the error is not worth retrying (4xx other than 429). */
function retryDelay(e: unknown, attempt: number, baseMs: number): number | undefined {
  if (e instanceof APIConnectionError) return baseMs * 2 ** attempt;
  if (!(e instanceof APIError) || e.status === undefined) return undefined;
  if (e.status !== 429 && e.status < 500) return undefined;
  const header = retryAfterMs(e.headers);
  return header !== undefined ? Math.min(header, MAX_RETRY_AFTER_MS) : baseMs * 2 ** attempt;
}

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (headers?.get('retry-after-ms') && Number.isFinite(ms)) return ms;
  const s = headers?.get('retry-after');
  if (!s) return undefined;
  if (Number.isFinite(Number(s))) return Number(s) * 1000;
  const date = Date.parse(s);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
