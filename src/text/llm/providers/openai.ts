import OpenAI from 'openai';
import { ConfigError } from '../../../util/errors.js';
import { ProviderError, type ChatProvider, type ChatRequest, type ChatResult } from './types.js';

/** `json_schema`: structured output; `json_object`: JSON mode for servers without schema support. */
export type StructuredMode = 'json_schema' | 'json_object';

export interface OpenAiProviderOptions {
  model: string;
  /** Any OpenAI-compatible server: OpenAI, Ollama, vLLM, llama.cpp server, LM Studio. */
  baseURL?: string;
  apiKey?: string;
  /** `auto` tries json_schema and falls back to json_object for good when the server rejects it. */
  structured?: 'auto' | StructuredMode;
  /** OpenAI's reasoning models take `max_completion_tokens`; compatible servers expect `max_tokens`. */
  maxTokensParam?: 'max_tokens' | 'max_completion_tokens';
  /** Called once when `auto` falls back to JSON mode, so the caller can report it. */
  onFallback?: (reason: string) => void;
}

/**
 * Chat through the openai SDK with the SDK's own retries off (maxRetries 0): the runner owns retries,
 * backoff and timeouts so they behave the same for every provider.
 */
export function createOpenAiProvider(opts: OpenAiProviderOptions): ChatProvider {
  const apiKey = opts.apiKey ?? (opts.baseURL ? 'not-needed' : undefined);
  if (!apiKey) {
    throw new ConfigError('the openai provider needs an API key (set OPENAI_API_KEY or --api-key-env NAME) unless --base-url points at a local server');
  }
  const client = new OpenAI({ apiKey, baseURL: opts.baseURL, maxRetries: 0, timeout: 24 * 3600 * 1000 });
  let mode: StructuredMode = opts.structured === 'json_object' ? 'json_object' : 'json_schema';
  const tokensParam = opts.maxTokensParam ?? 'max_tokens';

  async function once(req: ChatRequest, signal: AbortSignal, m: StructuredMode): Promise<ChatResult> {
    const response_format = m === 'json_schema'
      ? { type: 'json_schema' as const, json_schema: { name: req.schema.name, schema: req.schema.jsonSchema, strict: true } }
      : { type: 'json_object' as const };
    const body = {
      model: opts.model,
      messages: req.messages,
      temperature: req.sampling.temperature,
      [tokensParam]: req.sampling.maxTokens,
      ...(req.sampling.seed !== undefined ? { seed: req.sampling.seed } : {}),
      response_format,
    };
    const res = await client.chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming, { signal });
    const choice = res.choices?.[0];
    return {
      text: choice?.message?.content ?? '',
      promptTokens: res.usage?.prompt_tokens ?? 0,
      completionTokens: res.usage?.completion_tokens ?? 0,
    };
  }

  return {
    name: 'openai',
    model: opts.model,
    generator: 'llm',
    instant: false,
    async chat(req, signal) {
      try {
        return await once(req, signal, mode);
      } catch (e) {
        if (mode === 'json_schema' && opts.structured !== 'json_schema' && rejectsSchema(e)) {
          mode = 'json_object';
          opts.onFallback?.((e as Error).message);
          try {
            return await once(req, signal, mode);
          } catch (e2) {
            throw toProviderError(e2, signal);
          }
        }
        throw toProviderError(e, signal);
      }
    },
  };
}

/** A 400 that names the response format: the server has no json_schema support (older vLLM, Ollama builds). */
function rejectsSchema(e: unknown): boolean {
  return e instanceof OpenAI.APIError && e.status === 400 && /response_format|json_schema|schema/i.test(e.message);
}

function toProviderError(e: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason ?? e;
  if (e instanceof OpenAI.APIConnectionTimeoutError) return new ProviderError('request timed out', true, {}, { cause: e });
  if (e instanceof OpenAI.APIUserAbortError) return e;
  if (e instanceof OpenAI.APIConnectionError) return new ProviderError(`connection failed: ${e.message}`, true, {}, { cause: e });
  // A body that is not JSON (cut off mid-response by a proxy or a crashing server) is worth another try.
  if (e instanceof SyntaxError) return new ProviderError(`malformed response body: ${e.message}`, true, {}, { cause: e });
  if (e instanceof OpenAI.APIError) {
    const status = e.status ?? 0;
    const retryAfterMs = parseRetryAfter(e.headers);
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    const fatal = status === 401 || status === 403 || status === 404;
    return new ProviderError(`HTTP ${status}: ${e.message}`, retryable, { status, retryAfterMs, fatal }, { cause: e });
  }
  return e;
}

/** `retry-after-ms` (OpenAI) or `retry-after` in seconds or as an HTTP date. */
export function parseRetryAfter(headers: Headers | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') !== null && Number.isFinite(ms) && ms >= 0) return ms;
  const v = headers.get('retry-after');
  if (v === null) return undefined;
  const s = Number(v);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const date = Date.parse(v);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}
