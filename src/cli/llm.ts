import cliProgress from 'cli-progress';
import { Command, Option } from 'commander';
import { loadDataset } from '../data/load.js';
import { openStore, type Store } from '../data/store/store.js';
import { ingestBatchResults, writeBatchRequests } from '../text/llm/batch.js';
import { DOMAINS, type Domain } from '../text/llm/prompts.js';
import { formatCoverage, type ExtractProgress } from '../text/llm/progress.js';
import { createLlamaCppProvider } from '../text/llm/providers/llama-cpp.js';
import { createOpenAiProvider } from '../text/llm/providers/openai.js';
import { createRulesProvider } from '../text/llm/providers/rules.js';
import type { ChatProvider } from '../text/llm/providers/types.js';
import { extractMotivations, type ExtractReport } from '../text/llm/runner.js';
import { importProfiles } from '../text/llm/sources.js';
import { ConfigError, LmmrecError } from '../util/errors.js';
import { workspaceStorePath } from './data.js';
import { positiveInt } from './options.js';
import { cliSignal } from './signal.js';

export interface ExtractFlags {
  data?: string;
  workspace: string;
  name?: string;
  provider: 'openai' | 'llama-cpp' | 'rules';
  model?: string;
  modelPath?: string;
  baseUrl?: string;
  apiKeyEnv?: string;
  structured: 'auto' | 'json_schema' | 'json_object';
  users?: boolean;
  items?: boolean;
  limit?: number;
  concurrency: number;
  timeoutMs?: number;
  retries?: number;
  temperature?: number;
  maxTokens?: number;
  priceIn?: number;
  priceOut?: number;
  promptVersion: string;
  domain?: Domain;
  dryRun?: boolean;
  keepFailed?: boolean;
  batchOut?: string;
  batchIn?: string;
  json?: boolean;
}

const usage = (m: string): LmmrecError => new LmmrecError('USAGE', m);

function nonNegative(name: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${v}"`);
    return n;
  };
}

function nonNegativeInt(name: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${v}"`);
    return n;
  };
}

/** The API key from --api-key-env NAME (must be set) or OPENAI_API_KEY (optional with --base-url). */
export function apiKeyFrom(f: Pick<ExtractFlags, 'apiKeyEnv'>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (f.apiKeyEnv) {
    const key = env[f.apiKeyEnv];
    if (!key) throw new ConfigError(`--api-key-env ${f.apiKeyEnv}: that environment variable is not set`);
    return key;
  }
  return env.OPENAI_API_KEY || undefined;
}

export async function providerFrom(f: ExtractFlags, onNotice: (m: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<ChatProvider> {
  if (f.provider === 'rules') {
    if (f.model || f.baseUrl || f.modelPath) throw usage('--provider rules takes no --model, --base-url or --model-path (it is the offline rule-based extractor)');
    return createRulesProvider();
  }
  if (f.provider === 'llama-cpp') return createLlamaCppProvider({ modelPath: f.modelPath });
  if (!f.model) throw usage('--provider openai needs --model <name> (e.g. gpt-4o-mini, or the model your server serves)');
  return createOpenAiProvider({
    model: f.model, baseURL: f.baseUrl, apiKey: apiKeyFrom(f, env), structured: f.structured,
    onFallback: (reason) => onNotice(`the server rejected json_schema output (${reason}); using JSON mode from now on`),
  });
}

function progressBar(): { onProgress: (p: ExtractProgress) => void; log: (m: string) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { onProgress: () => {}, log: (m) => console.error(m), stop: () => {} };
  const bar = new cliProgress.SingleBar({
    format: '{phase} [{bar}] {value}/{total} | ETA {eta} | {requests} requests, {tokens} tokens{cost}',
    stream: process.stderr, hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  let phase = '';
  return {
    onProgress: (p) => {
      const payload = {
        phase: p.phase.padEnd(5), eta: p.etaMs === undefined ? '-' : `${Math.ceil(p.etaMs / 1000)}s`, requests: p.requests,
        tokens: p.promptTokens + p.completionTokens, cost: p.costEstimate === undefined ? '' : `, ~${p.costEstimate.toFixed(4)}`,
      };
      if (p.phase !== phase) {
        if (phase) bar.stop();
        phase = p.phase;
        bar.start(p.total, p.done, payload);
      } else bar.update(p.done, payload);
    },
    log: (m) => { if (phase) bar.stop(); console.error(m); if (phase) phase = ''; },
    stop: () => { if (phase) bar.stop(); },
  };
}

/** The end-of-run summary: coverage per kind, review filtering, requests, tokens, cost. */
export function formatExtractReport(r: ExtractReport): string {
  const lines: string[] = [];
  const label = r.provider === 'rules' ? `rules (${r.model}, rule-based, no LLM)` : `${r.provider} ${r.model}`;
  lines.push(`${r.dryRun ? 'dry run' : 'extraction'} with ${label}`);
  for (const p of r.phases) {
    lines.push(`  ${formatCoverage(`${p.kind}s`, p.coverage)}; ${p.prompts} distinct prompts, ${p.cacheHits} cached`);
    if (p.notes) lines.push(`    item notes in user prompts: ${p.notes.fromExtraction} item summaries, ${p.notes.fromDataset} dataset item texts, ${p.notes.none} "None"`);
  }
  const rv = r.reviews;
  lines.push(`  reviews: ${rv.total} read, ${rv.used} used (train pairs only), ${rv.notInTrain} valid/test or unknown pairs excluded, ` +
    `${rv.empty} empty, ${rv.duplicateUserText} repeated (user, text); ${r.duplicateEntries} repeated entries dropped from user prompts`);
  if (r.estimate) {
    const e = r.estimate;
    lines.push(`  would send ${e.calls} requests, ~${e.promptTokens} prompt tokens (chars/4), up to ${e.maxCompletionTokens} completion tokens` +
      (e.costEstimate === undefined ? '' : `, cost up to ~${e.costEstimate.toFixed(4)}`));
  } else {
    lines.push(`  ${r.requests} requests (${r.retries} retries, ${r.repairs} repair rounds), ${r.promptTokens} prompt + ${r.completionTokens} completion tokens` +
      (r.costEstimate === undefined ? '' : `, cost ~${r.costEstimate.toFixed(4)}`) + `, ${(r.elapsedMs / 1000).toFixed(1)} s`);
  }
  for (const p of r.phases) for (const f of p.failures.slice(0, 5)) lines.push(`  failed ${p.kind} ${f.entity}: ${f.error}`);
  return lines.join('\n');
}

async function withStore<T>(workspace: string, fn: (s: Store) => Promise<T>): Promise<T> {
  const store = openStore(workspaceStorePath(workspace));
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

export async function runExtractCommand(f: ExtractFlags): Promise<void> {
  if (f.users && f.items) throw usage('give --users or --items, not both (neither = items, then users)');
  if (f.batchIn) {
    const r = await withStore(f.workspace, (store) => ingestBatchResults(store, f.batchIn!));
    console.log(f.json ? JSON.stringify(r, null, 2) : `ingested ${f.batchIn}: ${r.lines} results, ${r.ok} ok, ${r.failed} failed` +
      (r.unknown.length ? `, ${r.unknown.length} unknown custom_ids (not from this workspace), e.g. ${r.unknown[0]}` : ''));
    return;
  }
  if (!f.data) throw usage('--data <dir> is required');
  const dataset = await loadDataset(f.data, { name: f.name, signal: cliSignal() });
  const kind = f.users ? 'users' : f.items ? 'items' : 'both';
  const sampling = { ...(f.temperature !== undefined && { temperature: f.temperature }), ...(f.maxTokens !== undefined && { maxTokens: f.maxTokens }) };
  const build = f.domain ? { domain: f.domain } : undefined;
  if (f.batchOut) {
    if (f.provider !== 'openai' || !f.model) throw usage('--batch-out writes OpenAI Batch API requests: use --provider openai --model <name>');
    const r = await withStore(f.workspace, async (store) => writeBatchRequests({
      store, dataset, model: f.model!, kind, file: f.batchOut!, limit: f.limit, sampling, promptVersion: f.promptVersion, build,
      structured: f.structured === 'json_object' ? 'json_object' : 'json_schema',
    }));
    console.log(f.json ? JSON.stringify(r, null, 2) : `wrote ${r.requests} requests to ${r.file} (${r.settled} entities already settled)` +
      (r.usersDeferred ? '; users come after items: ingest the item results with --batch-in, then run --batch-out again' : ''));
    return;
  }
  const bar = progressBar();
  const provider = await providerFrom(f, bar.log);
  try {
    const report = await withStore(f.workspace, (store) => extractMotivations({
      store, dataset, provider, kind, limit: f.limit, concurrency: f.concurrency, timeoutMs: f.timeoutMs, retries: f.retries,
      sampling, promptVersion: f.promptVersion, build, dryRun: f.dryRun, retryFailed: !f.keepFailed,
      price: f.priceIn !== undefined || f.priceOut !== undefined ? { inputPer1k: f.priceIn ?? 0, outputPer1k: f.priceOut ?? 0 } : undefined,
      onProgress: bar.onProgress, onNotice: bar.log, signal: cliSignal(),
    }));
    bar.stop();
    console.log(f.json ? JSON.stringify(report, null, 2) : formatExtractReport(report));
    if (report.phases.some((p) => p.coverage.failed > 0)) process.exitCode = 1;
  } finally {
    bar.stop();
    await provider.close?.();
  }
}

export function registerLlmCommand(program: Command): void {
  const llm = program.command('llm').description('LLM motivation extraction (method.md §E) into the workspace store');
  llm
    .command('extract')
    .description('extract item, then user motivations; cached, resumable, failures recorded (re-run to continue or retry)')
    .option('--data <dir>', 'dataset folder')
    .option('--workspace <dir>', 'workspace folder (store file: <dir>/lmmrec.sqlite)', '.lmmrec')
    .option('--name <name>', 'dataset name in the store (default: folder name)')
    .addOption(new Option('--provider <name>', 'who answers').choices(['openai', 'llama-cpp', 'rules']).default('rules'))
    .option('--model <name>', 'model name (openai provider)')
    .option('--model-path <file>', 'GGUF model file (llama-cpp provider)')
    .option('--base-url <url>', 'OpenAI-compatible server, e.g. http://localhost:11434/v1 (Ollama)')
    .option('--api-key-env <NAME>', 'environment variable holding the API key (default OPENAI_API_KEY)')
    .addOption(new Option('--structured <mode>', 'structured output mode').choices(['auto', 'json_schema', 'json_object']).default('auto'))
    .option('--users', 'users only (item summaries already extracted are quoted)')
    .option('--items', 'items only')
    .option('--limit <n>', 'only the first N items and/or users', positiveInt('--limit'))
    .option('--concurrency <n>', 'requests in flight', positiveInt('--concurrency'), 4)
    .option('--timeout-ms <ms>', 'per-request timeout', positiveInt('--timeout-ms'))
    .option('--retries <n>', 'retries on 429 / 5xx / timeouts', nonNegativeInt('--retries'))
    .option('--temperature <t>', 'sampling temperature (default 0)', nonNegative('--temperature'))
    .option('--max-tokens <n>', 'completion token limit (default 800)', positiveInt('--max-tokens'))
    .option('--price-in <p>', 'price per 1k prompt tokens, for the cost estimate', nonNegative('--price-in'))
    .option('--price-out <p>', 'price per 1k completion tokens, for the cost estimate', nonNegative('--price-out'))
    .option('--prompt-version <v>', 'prompt files prompts/<kind>.<v>.md', 'v1')
    .addOption(new Option('--domain <d>', 'what the items are (default: from the dataset name)').choices([...DOMAINS]))
    .option('--dry-run', 'count requests and estimate tokens; send nothing')
    .option('--keep-failed', 'do not re-send records whose stored answer is a failure (default: retry them)')
    .option('--batch-out <file>', 'write OpenAI Batch API requests instead of calling')
    .option('--batch-in <file>', 'ingest an OpenAI Batch API result file into the cache')
    .option('--json', 'print the report as JSON')
    .action((f: ExtractFlags) => runExtractCommand(f));
  llm
    .command('import-profiles')
    .description('store the dataset\'s existing profile texts (e.g. RLMRec GPT profiles) as summaries (provider "dataset")')
    .requiredOption('--data <dir>', 'dataset folder with user_profiles / item_profiles')
    .option('--workspace <dir>', 'workspace folder', '.lmmrec')
    .option('--name <name>', 'dataset name in the store (default: folder name)')
    .action(async (f: { data: string; workspace: string; name?: string }) => {
      const ds = await loadDataset(f.data, { name: f.name, signal: cliSignal() });
      if (!ds.userTexts && !ds.itemTexts) throw new LmmrecError('DATA', `${f.data}: no user_profiles or item_profiles file to import`);
      await withStore(f.workspace, async (store) => {
        for (const [kind, t] of [['user', ds.userTexts], ['item', ds.itemTexts]] as const) {
          if (!t) continue;
          const r = importProfiles(store, { dataset: ds.name, kind, texts: t.text, source: t.source });
          console.log(`${kind}s: ${r.ok} profiles imported, ${r.skippedEmpty} without text (provider dataset, model ${r.model})`);
        }
      });
    });
}
