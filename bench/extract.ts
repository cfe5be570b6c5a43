/**
 * `npm run bench -- extract [dataDir] [--reps 3]`: rules extraction + the default encoder (tfidf-svd) end to end
 * over amazon2018_all_beauty_5 (default ../shared/data/…), each rep in a fresh workspace store on disk: cold
 * (empty cache) then warm (everything cached). Prints medians of wall and CPU time and records/s, where a
 * record is one user or item (one prompt; the rules provider answers it offline).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDataset } from '../src/data/load.js';
import { openStore } from '../src/data/store/store.js';
import { embedSource } from '../src/text/encoders/embed.js';
import { createRulesProvider, RULES_VERSION } from '../src/text/llm/providers/rules.js';
import { extractMotivations, type ExtractReport } from '../src/text/llm/runner.js';
import { median } from './lib/common.js';

const DEFAULT_DIR = resolve(import.meta.dirname, '..', '..', 'shared', 'data', 'amazon2018_all_beauty_5');

function parseArgs(args: string[]): { dir: string; reps: number } {
  let dir: string | undefined;
  let reps = 3;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--reps') reps = Number(args[++i]);
    else if (args[i].startsWith('--')) throw new Error(`unknown option ${args[i]} (use --reps N)`);
    else dir = resolve(args[i]);
  }
  if (!Number.isInteger(reps) || reps <= 0) throw new Error('--reps takes a positive integer');
  dir ??= DEFAULT_DIR;
  if (!existsSync(dir)) throw new Error(`data folder ${dir} not found; pass a review dataset folder`);
  return { dir, reps };
}

const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; cpu: number }> {
  const t = performance.now(), c = cpuMs();
  const value = await fn();
  return { value, ms: performance.now() - t, cpu: cpuMs() - c };
}

export async function run(args: string[]): Promise<void> {
  const { dir, reps } = parseArgs(args);
  const load = await timed(() => loadDataset(dir));
  const ds = load.value;
  const records = ds.numUsers + ds.numItems;
  console.log(`${ds.name}: ${ds.numUsers} users + ${ds.numItems} items = ${records} records, ${ds.reviews?.length ?? 0} reviews; load ${load.ms.toFixed(0)} ms; ${reps} reps`);
  const rows: Record<string, { ms: number[]; cpu: number[]; n: number; unit: string }> = {};
  const add = (name: string, r: { ms: number; cpu: number }, n: number, unit: string): void => {
    (rows[name] ??= { ms: [], cpu: [], n, unit }).ms.push(r.ms);
    rows[name].cpu.push(r.cpu);
  };
  let last: ExtractReport | undefined;
  for (let rep = 0; rep < reps; rep++) {
    const ws = mkdtempSync(join(tmpdir(), 'lmmrec-bench-extract-'));
    const store = openStore(join(ws, 'lmmrec.sqlite'));
    try {
      const extract = () => extractMotivations({ store, dataset: ds, provider: createRulesProvider(), kind: 'both' });
      const embed = () => embedSource({ dataset: ds, source: 'motivations', encoder: { name: 'tfidf-svd' }, store, motivations: { provider: 'rules', model: RULES_VERSION } });
      const coldX = await timed(extract);
      const coldE = await timed(embed);
      const warmX = await timed(extract);
      const warmE = await timed(embed);
      last = warmX.value;
      if (warmX.value.requests !== 0 || warmX.value.phases.some((p) => p.cacheHits !== p.prompts)) throw new Error('warm run was not fully cached');
      const embedRows = 2 * records;
      add('extract cold', coldX, records, 'records');
      add('extract warm', warmX, records, 'records');
      add(`embed cold (fit ${coldE.value.encoder.model})`, coldE, embedRows, 'S+M rows');
      add('embed warm (fit and rows reused)', warmE, embedRows, 'S+M rows');
      add('extract + embed cold', { ms: coldX.ms + coldE.ms, cpu: coldX.cpu + coldE.cpu }, records, 'records');
      add('extract + embed warm', { ms: warmX.ms + warmE.ms, cpu: warmX.cpu + warmE.cpu }, records, 'records');
    } finally {
      store.close();
      rmSync(ws, { recursive: true, force: true });
    }
  }
  // CPU time is shown too: on a shared machine wall time mostly measures the other processes.
  console.log(`${'step'.padEnd(44)} ${'wall ms'.padStart(9)} ${'cpu ms'.padStart(9)} ${'per s (wall)'.padStart(13)} ${'per s (cpu)'.padStart(12)}`);
  for (const [name, r] of Object.entries(rows)) {
    const ms = median(r.ms), cpu = median(r.cpu);
    const rate = (t: number): string => Math.round((r.n / t) * 1000).toString();
    console.log(`${name.padEnd(44)} ${ms.toFixed(1).padStart(9)} ${cpu.toFixed(1).padStart(9)} ${rate(ms).padStart(13)} ${rate(cpu).padStart(12)} ${r.unit}`);
  }
  if (last) {
    const [items, users] = last.phases;
    console.log(`coverage: items ok ${items.coverage.ok} / skipped-empty ${items.coverage.skippedEmpty}; users ok ${users.coverage.ok}; ` +
      `${last.reviews.duplicateUserText} repeated (user, text) reviews, ${last.duplicateEntries} repeated entries dropped from user prompts`);
  }
}
