/** Price of tokens, per 1,000, in any currency (USD for OpenAI's list prices). */
export interface TokenPrice {
  inputPer1k: number;
  outputPer1k: number;
}

export function costOf(promptTokens: number, completionTokens: number, price?: TokenPrice): number | undefined {
  if (!price) return undefined;
  return (promptTokens / 1000) * price.inputPer1k + (completionTokens / 1000) * price.outputPer1k;
}

/** Snapshot sent to `onProgress` after every finished record of a phase. */
export interface ExtractProgress {
  phase: 'items' | 'users';
  /** Records of this phase settled so far (cache hits, empties, answered, failed). */
  done: number;
  total: number;
  cached: number;
  ok: number;
  failed: number;
  skippedEmpty: number;
  /** Requests sent so far in this run (all phases), retries and repair rounds included. */
  requests: number;
  retries: number;
  promptTokens: number;
  completionTokens: number;
  costEstimate?: number;
  elapsedMs: number;
  /** Time left at the current request rate; undefined until one request has finished. */
  etaMs?: number;
}

/** Counts for one kind of entity at the end: every entity is exactly one of ok, failed, skipped-empty or pending. */
export interface Coverage {
  total: number;
  ok: number;
  failed: number;
  skippedEmpty: number;
  /** Not settled: the run was aborted, or (batch mode) results have not been ingested yet. */
  pending: number;
}

export function emptyCoverage(): Coverage {
  return { total: 0, ok: 0, failed: 0, skippedEmpty: 0, pending: 0 };
}

export function formatCoverage(label: string, c: Coverage): string {
  const pct = (n: number): string => (c.total ? `${((100 * n) / c.total).toFixed(1)}%` : '-');
  let s = `${label}: ${c.total} total, ok ${c.ok} (${pct(c.ok)}), failed ${c.failed} (${pct(c.failed)}), skipped-empty ${c.skippedEmpty} (${pct(c.skippedEmpty)})`;
  if (c.pending) s += `, pending ${c.pending}`;
  return s;
}
