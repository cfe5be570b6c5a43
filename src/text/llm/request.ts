import { LmmrecError } from '../../util/errors.js';
import { renderRepair, type ChatMessage, type PromptTemplate } from './prompts.js';
import { ProviderError, type ChatProvider, type ChatRequest, type ChatResult } from './providers/types.js';
import { parseMotivationOutput, type MotivationOutput } from './schema.js';

export interface RetryPolicy {
  /** Retries after the first attempt, for 429 / 5xx / timeouts / dropped connections. */
  retries: number;
  timeoutMs: number;
  /** Backoff before retry n (0-based) is min(maxDelayMs, baseDelayMs·2^n), jittered to 50–100 %. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, timeoutMs: 120_000, baseDelayMs: 1000, maxDelayMs: 30_000 };

export interface CallOutcome {
  status: 'ok' | 'failed';
  value?: MotivationOutput;
  rawText?: string;
  error?: string;
  /** HTTP requests made, including retries and the repair round. */
  attempts: number;
  retries: number;
  repaired: boolean;
  promptTokens: number;
  completionTokens: number;
}

export interface CallHooks {
  onRetry?: (info: { error: string; delayMs: number }) => void;
}

/** Sleep that an abort interrupts (rejects with the signal's reason). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) { reject(signal.reason); return; }
    const onAbort = (): void => { clearTimeout(t); reject(signal.reason); };
    const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function backoffDelay(retry: number, p: RetryPolicy, random: () => number = Math.random): number {
  const base = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** retry);
  return Math.round(base * (0.5 + 0.5 * random()));
}

type Sent = { ok: true; result: ChatResult } | { ok: false; error: string };

/**
 * One record: send, parse, and on an invalid answer one repair round (the answer and the parse error go back
 * with a "valid JSON only" reminder). Transport failures are retried with backoff, honouring retry-after.
 * Returns a failure instead of throwing, so the caller records it; throws only on abort or a fatal
 * provider error (bad key, unknown model) that would fail every other record too.
 */
export async function callWithRepair(
  provider: ChatProvider, request: ChatRequest, repair: PromptTemplate, policy: RetryPolicy, signal: AbortSignal, hooks: CallHooks = {},
): Promise<CallOutcome> {
  const out: CallOutcome = { status: 'failed', attempts: 0, retries: 0, repaired: false, promptTokens: 0, completionTokens: 0 };

  async function send(messages: ChatMessage[]): Promise<Sent> {
    for (let attempt = 0; ; attempt++) {
      out.attempts++;
      const timeout = AbortSignal.timeout(policy.timeoutMs);
      const combined = AbortSignal.any([signal, timeout]);
      let error: ProviderError;
      try {
        const result = await provider.chat({ ...request, messages }, combined);
        out.promptTokens += result.promptTokens;
        out.completionTokens += result.completionTokens;
        return { ok: true, result };
      } catch (e) {
        if (signal.aborted) throw signal.reason;
        if (timeout.aborted) error = new ProviderError(`timed out after ${policy.timeoutMs} ms`, true);
        else if (e instanceof ProviderError) error = e;
        else if (e instanceof LmmrecError) throw e;
        else error = new ProviderError(`provider error: ${(e as Error).message ?? String(e)}`, false, {}, { cause: e });
      }
      if (error.details.fatal) throw error;
      if (!error.retryable || attempt >= policy.retries) {
        const tries = attempt + 1;
        return { ok: false, error: error.retryable ? `${error.message} (gave up after ${tries} attempts)` : error.message };
      }
      const delayMs = error.details.retryAfterMs ?? backoffDelay(attempt, policy);
      out.retries++;
      hooks.onRetry?.({ error: error.message, delayMs });
      await sleep(delayMs, signal);
    }
  }

  const first = await send(request.messages);
  if (!first.ok) return { ...out, error: first.error };
  const parsed = parseMotivationOutput(first.result.text);
  if (parsed.ok) return { ...out, status: 'ok', value: parsed.value, rawText: first.result.text };

  out.repaired = true;
  const second = await send(renderRepair(repair, request.messages, first.result.text, parsed.error));
  if (!second.ok) return { ...out, rawText: first.result.text, error: `invalid answer (${parsed.error}); repair request failed: ${second.error}` };
  const again = parseMotivationOutput(second.result.text);
  if (again.ok) return { ...out, status: 'ok', value: again.value, rawText: second.result.text };
  return { ...out, rawText: second.result.text, error: `invalid answer after the repair round: ${again.error} (first answer: ${parsed.error})` };
}
