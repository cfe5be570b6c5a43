import pLimit from 'p-limit';
import type { Dataset } from '../../data/dataset.js';
import type { Store } from '../../data/store/store.js';
import { LmmrecError } from '../../util/errors.js';
import { openLlmCache, type CachedStatus, type EntityRef, type LlmCache, type OutputRecord } from './cache.js';
import type { EntityKind, PromptBuildOptions, ReviewStats } from './inputs.js';
import type { NoteStats } from './outputs.js';
import { planContext, planPhase, type PhasePlan, type PlanContext, type PlannedCall } from './plan.js';
import { costOf, emptyCoverage, type Coverage, type ExtractProgress, type TokenPrice } from './progress.js';
import { estimateTokens, loadPromptTemplate } from './prompts.js';
import { DEFAULT_SAMPLING, type ChatProvider, type Sampling } from './providers/types.js';
import { callWithRepair, DEFAULT_RETRY, type RetryPolicy } from './request.js';
import { motivationJsonSchema } from './schema.js';

export interface ExtractOptions {
  store: Store;
  dataset: Dataset;
  provider: ChatProvider;
  kind: 'items' | 'users' | 'both';
  /** Only the first N items and/or users. */
  limit?: number;
  concurrency?: number;
  timeoutMs?: number;
  retries?: number;
  backoff?: { baseDelayMs?: number; maxDelayMs?: number };
  sampling?: Partial<Sampling>;
  /** Prompt files `prompts/<kind>.<promptVersion>.md`. */
  promptVersion?: string;
  promptDir?: string;
  build?: Partial<PromptBuildOptions>;
  /** Re-send records whose stored status is failed (default true); ok and skipped-empty are always reused. */
  retryFailed?: boolean;
  dryRun?: boolean;
  price?: TokenPrice;
  onProgress?: (p: ExtractProgress) => void;
  /** Notices worth showing a user: JSON-mode fallback, retries. */
  onNotice?: (message: string) => void;
  signal?: AbortSignal;
}

export interface PhaseReport {
  kind: EntityKind;
  /** Distinct prompts (entities with identical inputs share one). */
  prompts: number;
  cacheHits: number;
  coverage: Coverage;
  /** The first failures, with their errors (all are in the store). */
  failures: { entity: number; error: string }[];
  /** Users: item notes from this extractor's item summaries, from the dataset's item texts, or "None". */
  notes?: NoteStats;
}

export interface DryRunEstimate {
  calls: number;
  /** chars/4 of every message to send; user prompts count ~80 tokens for each item note not answered yet. */
  promptTokens: number;
  /** Upper bound: calls × maxTokens. */
  maxCompletionTokens: number;
  costEstimate?: number;
}

export interface ExtractReport {
  runId?: number;
  dryRun: boolean;
  provider: string;
  model: string;
  phases: PhaseReport[];
  reviews: ReviewStats;
  /** User-prompt entries dropped because the user's review repeats one already shown (same user, same text). */
  duplicateEntries: number;
  requests: number;
  retries: number;
  repairs: number;
  promptTokens: number;
  completionTokens: number;
  costEstimate?: number;
  estimate?: DryRunEstimate;
  elapsedMs: number;
}

const MISSING_NOTE_PLACEHOLDER = 'x'.repeat(320);
const FLUSH_RECORDS = 256;
const FLUSH_MS = 200;

/**
 * Extract motivations for the items and/or users of a dataset (items first: user prompts quote item summaries).
 * Every answer is committed to the store as it arrives, so a killed run loses only in-flight requests and a
 * re-run reuses everything stored (a warm re-run sends nothing). Failures are stored with their error.
 */
export async function extractMotivations(opts: ExtractOptions): Promise<ExtractReport> {
  const started = Date.now();
  const signal = opts.signal ?? new AbortController().signal;
  const cache = openLlmCache(opts.store);
  const sampling: Sampling = { ...DEFAULT_SAMPLING, ...opts.sampling };
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY,
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...opts.backoff,
  };
  const report: ExtractReport = {
    dryRun: !!opts.dryRun, provider: opts.provider.name, model: opts.provider.model, phases: [],
    reviews: { total: 0, notInTrain: 0, empty: 0, duplicateUserText: 0, used: 0 }, duplicateEntries: 0,
    requests: 0, retries: 0, repairs: 0, promptTokens: 0, completionTokens: 0, elapsedMs: 0,
  };
  const ctx = planContext({
    store: opts.store, cache, dataset: opts.dataset, provider: opts.provider, sampling, build: opts.build,
    promptVersion: opts.promptVersion ?? 'v1', promptDir: opts.promptDir, onDuplicateEntry: () => report.duplicateEntries++,
  });
  report.reviews = ctx.reviews.stats;
  const kinds: EntityKind[] = opts.kind === 'items' ? ['item'] : opts.kind === 'users' ? ['user'] : ['item', 'user'];

  if (opts.dryRun) {
    report.estimate = dryRun(ctx, kinds, opts, sampling, report);
    report.elapsedMs = Date.now() - started;
    return report;
  }

  const runId = startRun(opts, sampling, policy);
  report.runId = runId;
  try {
    for (const kind of kinds) {
      if (signal.aborted) break;
      const plan = planPhase(ctx, kind, opts.limit);
      report.phases.push(await runPhase(plan, cache, opts, policy, sampling, signal, report, started));
    }
    if (signal.aborted) throw new LmmrecError('ABORTED', 'extraction aborted; committed results are kept, re-run to continue', { cause: signal.reason });
    finishRun(opts.store, runId, 'done', report);
  } catch (e) {
    finishRun(opts.store, runId, signal.aborted ? 'aborted' : 'failed', report);
    throw e;
  } finally {
    report.elapsedMs = Date.now() - started;
    report.costEstimate = costOf(report.promptTokens, report.completionTokens, opts.price);
  }
  return report;
}

function dryRun(ctx: PlanContext, kinds: EntityKind[], opts: ExtractOptions, sampling: Sampling, report: ExtractReport): DryRunEstimate {
  const est: DryRunEstimate = { calls: 0, promptTokens: 0, maxCompletionTokens: 0 };
  for (const kind of kinds) {
    const plan = planPhase({ ...ctx, missingNote: kinds.length === 2 ? MISSING_NOTE_PLACEHOLDER : undefined }, kind, opts.limit);
    const phase = summarisePlan(plan, opts.retryFailed ?? true);
    report.phases.push(phase.report);
    for (const call of phase.todo) {
      if (call.record.empty) continue;
      est.calls++;
      est.promptTokens += estimateTokens(call.record.messages);
    }
  }
  est.maxCompletionTokens = est.calls * sampling.maxTokens;
  est.costEstimate = costOf(est.promptTokens, est.maxCompletionTokens, opts.price);
  return est;
}

/** Split a plan into settled calls (counted in coverage now) and calls that still need an answer. */
function summarisePlan(plan: PhasePlan, retryFailed: boolean): { report: PhaseReport; todo: PlannedCall[] } {
  const report: PhaseReport = {
    kind: plan.kind, prompts: plan.calls.length, cacheHits: 0, coverage: emptyCoverage(), failures: [], ...(plan.notes && { notes: plan.notes }),
  };
  report.coverage.total = plan.entities;
  const todo: PlannedCall[] = [];
  for (const call of plan.calls) {
    const c = call.cached;
    if (c && (c.status !== 'failed' || !retryFailed)) {
      report.cacheHits++;
      settle(report, call, c);
    } else {
      todo.push(call);
      report.coverage.pending += call.entities.length;
    }
  }
  return { report, todo };
}

function settle(report: PhaseReport, call: PlannedCall, out: CachedStatus): void {
  const n = call.entities.length;
  if (out.status === 'ok') report.coverage.ok += n;
  else if (out.status === 'skipped-empty') report.coverage.skippedEmpty += n;
  else {
    report.coverage.failed += n;
    for (const e of call.entities) if (report.failures.length < 20) report.failures.push({ entity: e.entity, error: out.error ?? 'unknown error' });
  }
}

async function runPhase(
  plan: PhasePlan, cache: LlmCache, opts: ExtractOptions, policy: RetryPolicy, sampling: Sampling,
  signal: AbortSignal, report: ExtractReport, started: number,
): Promise<PhaseReport> {
  const { report: phase, todo } = summarisePlan(plan, opts.retryFailed ?? true);
  const assigned = cache.assignments(opts.dataset.name, plan.kind, { provider: opts.provider.name, model: opts.provider.model, promptVersion: plan.template.version });
  const todoKeys = new Set(todo.map((c) => c.key));
  for (const call of plan.calls) {
    if (!call.cached || todoKeys.has(call.key)) continue;
    const stale = call.entities.filter((e) => assigned.get(e.entity) !== call.key);
    if (stale.length) cache.assign(call.key, call.parts, stale);
  }
  const repair = loadPromptTemplate('repair', opts.promptVersion ?? 'v1', opts.promptDir);
  const schema = { name: 'motivations', jsonSchema: motivationJsonSchema() };
  let done = phase.coverage.total - phase.coverage.pending;
  let answered = 0;
  const phaseStart = Date.now();
  const emit = (): void => {
    const pending = phase.coverage.pending;
    const rate = answered > 0 ? (Date.now() - phaseStart) / answered : undefined;
    opts.onProgress?.({
      phase: plan.kind === 'item' ? 'items' : 'users', done, total: phase.coverage.total, cached: phase.cacheHits,
      ok: phase.coverage.ok, failed: phase.coverage.failed, skippedEmpty: phase.coverage.skippedEmpty,
      requests: report.requests, retries: report.retries, promptTokens: report.promptTokens, completionTokens: report.completionTokens,
      costEstimate: costOf(report.promptTokens, report.completionTokens, opts.price), elapsedMs: Date.now() - started,
      etaMs: rate !== undefined ? Math.round(rate * (todo.length - answered)) : pending === 0 ? 0 : undefined,
    });
  };
  emit();

  // Answers are committed one by one as they arrive (a kill loses only requests in flight). Instant providers
  // (rules) answer thousands per second; their answers are committed in groups to save fsyncs, and a group
  // never waits longer than FLUSH_MS, so a kill loses at most that much free, offline work.
  const buffer: { out: OutputRecord; entities: readonly EntityRef[] }[] = [];
  let bufferedAt = 0;
  const flush = (): void => {
    if (buffer.length) cache.putMany(buffer.splice(0));
  };
  const commit = (out: OutputRecord, entities: readonly EntityRef[]): void => {
    if (!opts.provider.instant) { cache.put(out, entities); return; }
    if (!buffer.length) bufferedAt = Date.now();
    buffer.push({ out, entities });
    if (buffer.length >= FLUSH_RECORDS || Date.now() - bufferedAt >= FLUSH_MS) flush();
  };

  // Stops the phase on the first fatal error (bad key, unknown model) as well as on the caller's abort.
  const stop = new AbortController();
  const inner = AbortSignal.any([signal, stop.signal]);
  const one = async (call: PlannedCall): Promise<void> => {
    if (inner.aborted) return;
    let out: OutputRecord;
    if (call.record.empty) {
      out = { key: call.key, ...call.parts, status: 'skipped-empty', attempts: 0, promptTokens: 0, completionTokens: 0 };
    } else {
      const r = await callWithRepair(opts.provider, { messages: call.record.messages, schema, sampling, source: call.record.source }, repair, policy, inner, {
        onRetry: ({ error, delayMs }) => { report.retries++; opts.onNotice?.(`retry in ${delayMs} ms after: ${error}`); },
      });
      report.requests += r.attempts;
      report.repairs += r.repaired ? 1 : 0;
      report.promptTokens += r.promptTokens;
      report.completionTokens += r.completionTokens;
      out = {
        key: call.key, ...call.parts, status: r.status, rawText: r.rawText, error: r.error,
        parsed: r.value ? { ...r.value, generator: opts.provider.generator } : undefined,
        attempts: r.attempts, promptTokens: r.promptTokens, completionTokens: r.completionTokens,
      };
      answered++;
    }
    commit(out, call.entities);
    phase.coverage.pending -= call.entities.length;
    settle(phase, call, out);
    done += call.entities.length;
    emit();
  };

  const concurrency = opts.provider.instant ? 1 : Math.max(1, opts.concurrency ?? 4);
  const limit = pLimit(concurrency);
  // Queued tasks see the abort and return at once (p-limit's clearQueue would leave their promises pending).
  let fatal: unknown;
  await Promise.all(todo.map((call) => limit(() => one(call)).catch((e: unknown) => {
    if (fatal === undefined && !signal.aborted) { fatal = e; stop.abort(e); }
  })));
  flush();
  if (fatal !== undefined) throw fatal;
  return phase;
}

function startRun(opts: ExtractOptions, sampling: Sampling, policy: RetryPolicy): number {
  const params = { limit: opts.limit, concurrency: opts.concurrency, sampling, policy, promptVersion: opts.promptVersion ?? 'v1', build: opts.build };
  const r = opts.store.db.prepare(`INSERT INTO llm_runs (dataset, kind, provider, model, params, status, started_at) VALUES (?, ?, ?, ?, ?, 'running', ?)`)
    .run(opts.dataset.name, opts.kind, opts.provider.name, opts.provider.model, JSON.stringify(params), new Date().toISOString());
  return Number(r.lastInsertRowid);
}

function finishRun(store: Store, runId: number, status: 'done' | 'aborted' | 'failed', report: ExtractReport): void {
  const coverage = Object.fromEntries(report.phases.map((p) => [p.kind, p.coverage]));
  store.db.prepare('UPDATE llm_runs SET status = ?, coverage = ?, finished_at = ? WHERE id = ?')
    .run(status, JSON.stringify({ ...coverage, requests: report.requests, promptTokens: report.promptTokens, completionTokens: report.completionTokens }), new Date().toISOString(), runId);
}
