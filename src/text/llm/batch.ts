import { createReadStream, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Dataset } from '../../data/dataset.js';
import type { Store } from '../../data/store/store.js';
import { DataError } from '../../util/errors.js';
import { openLlmCache, type CacheKeyParts, type OutputRecord } from './cache.js';
import type { EntityKind, PromptBuildOptions } from './inputs.js';
import { planContext, planPhase } from './plan.js';
import { DEFAULT_SAMPLING, type Sampling } from './providers/types.js';
import { motivationJsonSchema, parseMotivationOutput } from './schema.js';

/** Batch requests are answered by OpenAI's endpoint, so they are stored under the openai provider. */
const BATCH_PROVIDER = 'openai';

export interface BatchWriteOptions {
  store: Store;
  dataset: Dataset;
  model: string;
  kind: 'items' | 'users' | 'both';
  /** JSONL file to write (OpenAI Batch API input format). */
  file: string;
  limit?: number;
  sampling?: Partial<Sampling>;
  promptVersion?: string;
  promptDir?: string;
  build?: Partial<PromptBuildOptions>;
  structured?: 'json_schema' | 'json_object';
}

export interface BatchWriteReport {
  file: string;
  requests: number;
  /** Entities already answered (ok, or failed when not retried) or recorded as skipped-empty now. */
  settled: number;
  /** True when users were not written because some items were never answered: ingest, then write again.
   *  (Items that failed are re-sent alongside the users; those users quote the dataset text or "None".) */
  usersDeferred: boolean;
}

/**
 * Write one Batch API request per uncached prompt (custom_id = cache key) for runs too large for interactive
 * calls. Items go first: user prompts quote item summaries, so with `both` users are written only once every
 * item has an answer (ok or failed). Empty inputs are recorded as skipped-empty right away.
 */
export function writeBatchRequests(opts: BatchWriteOptions): BatchWriteReport {
  const cache = openLlmCache(opts.store);
  const sampling: Sampling = { ...DEFAULT_SAMPLING, ...opts.sampling };
  const ctx = planContext({
    store: opts.store, cache, dataset: opts.dataset, provider: { name: BATCH_PROVIDER, model: opts.model }, sampling,
    build: opts.build, promptVersion: opts.promptVersion ?? 'v1', promptDir: opts.promptDir,
  });
  const kinds: EntityKind[] = opts.kind === 'items' ? ['item'] : opts.kind === 'users' ? ['user'] : ['item', 'user'];
  const schema = motivationJsonSchema();
  const lines: string[] = [];
  const queued: (CacheKeyParts & { key: string })[] = [];
  const report: BatchWriteReport = { file: opts.file, requests: 0, settled: 0, usersDeferred: false };
  let unanswered = 0;
  for (const kind of kinds) {
    if (kind === 'user' && unanswered > 0) { report.usersDeferred = true; break; }
    const plan = planPhase(ctx, kind, opts.limit);
    for (const call of plan.calls) {
      if (call.cached && call.cached.status !== 'failed') {
        cache.assign(call.key, call.parts, call.entities);
        report.settled += call.entities.length;
        continue;
      }
      if (call.record.empty) {
        cache.put({ key: call.key, ...call.parts, status: 'skipped-empty', attempts: 0, promptTokens: 0, completionTokens: 0 }, call.entities);
        report.settled += call.entities.length;
        continue;
      }
      const response_format = opts.structured === 'json_object'
        ? { type: 'json_object' }
        : { type: 'json_schema', json_schema: { name: 'motivations', schema, strict: true } };
      lines.push(JSON.stringify({
        custom_id: call.key, method: 'POST', url: '/v1/chat/completions',
        body: { model: opts.model, messages: call.record.messages, temperature: sampling.temperature, max_tokens: sampling.maxTokens, response_format },
      }));
      queued.push({ key: call.key, ...call.parts });
      if (!call.cached) unanswered++;
      cache.assign(call.key, call.parts, call.entities);
    }
  }
  writeFileSync(opts.file, lines.length ? `${lines.join('\n')}\n` : '');
  cache.addBatchRequests(queued, opts.file);
  report.requests = lines.length;
  return report;
}

export interface BatchIngestReport {
  lines: number;
  ok: number;
  failed: number;
  /** custom_ids this store never wrote (a result file from another workspace?): listed, not stored. */
  unknown: string[];
}

interface BatchResultLine {
  custom_id?: string;
  response?: { status_code?: number; body?: { choices?: { message?: { content?: string | null } }[]; usage?: { prompt_tokens?: number; completion_tokens?: number } } } | null;
  error?: { code?: string; message?: string } | null;
}

/**
 * Store a Batch API output (or error) file in the same cache as interactive answers. Invalid answers are stored
 * as failed with their parse error; the next interactive run retries them with its repair round.
 */
export async function ingestBatchResults(store: Store, file: string): Promise<BatchIngestReport> {
  const cache = openLlmCache(store);
  const report: BatchIngestReport = { lines: 0, ok: 0, failed: 0, unknown: [] };
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of rl) {
    lineNo++;
    if (!line.trim()) continue;
    report.lines++;
    let r: BatchResultLine;
    try {
      r = JSON.parse(line) as BatchResultLine;
    } catch (e) {
      throw new DataError({ file, line: lineNo }, `not JSON: ${(e as Error).message}`);
    }
    if (typeof r.custom_id !== 'string') throw new DataError({ file, line: lineNo, field: 'custom_id' }, 'missing');
    const parts = cache.batchRequest(r.custom_id);
    if (!parts) { report.unknown.push(r.custom_id); continue; }
    const body = r.response?.body;
    const status = r.response?.status_code;
    const text = body?.choices?.[0]?.message?.content ?? undefined;
    const out: OutputRecord = {
      key: r.custom_id, provider: parts.provider, model: parts.model, promptVersion: parts.promptVersion, inputHash: parts.inputHash,
      sampling: parts.sampling, status: 'failed', rawText: text, attempts: 1,
      promptTokens: body?.usage?.prompt_tokens ?? 0, completionTokens: body?.usage?.completion_tokens ?? 0,
    };
    if (r.error) out.error = `batch error ${r.error.code ?? ''}: ${r.error.message ?? ''}`.trim();
    else if (status !== 200) out.error = `batch response HTTP ${status ?? 'missing'}`;
    else if (text === undefined) out.error = 'batch response has no message content';
    else {
      const parsed = parseMotivationOutput(text);
      if (parsed.ok) { out.status = 'ok'; out.parsed = { ...parsed.value, generator: 'llm' }; }
      else out.error = `invalid answer in batch result: ${parsed.error}`;
    }
    cache.put(out, []);
    if (out.status === 'ok') report.ok++; else report.failed++;
  }
  return report;
}
