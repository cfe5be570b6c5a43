import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openStore } from '../data/store/store.js';
import { ConfigError, type ErrorCode, LmmrecError } from '../util/errors.js';
import { stableStringify } from '../util/hash.js';
import { readExperimentManifest, writeExperimentManifest } from './manifest.js';
import type { ExperimentPlan, PlannedRun } from './plan.js';
import { prepareExperiment, type PrepareEvent } from './prepare.js';
import { writeExperimentReport } from './report.js';
import { adoptRun, createReuseIndex } from './reuse.js';
import { claimRun } from './run-claim.js';
import { comparableConfig, recordRun } from './run-records.js';
import { resumeTrainRun, trainRun, type RunMetrics, type TrainRunConfig, type TrainRunEvent } from './train-run.js';

/** Written into a run directory when its run failed (removed when a re-run finishes it). */
export const FAILED_FILE = 'failed.json';

/** Where a planned run stands on disk. */
export type RunState =
  | { state: 'done'; metrics: RunMetrics }
  /** Started, with a last checkpoint to resume from. */
  | { state: 'partial' }
  | { state: 'pending' }
  | { state: 'invalid'; reason: string }
  /** The run directory holds a run with another config (spec edited, other --set / --max-epochs). */
  | { state: 'stale'; reason: string };

interface RunPosition { run: PlannedRun; index: number; total: number }

export type ExperimentEvent =
  | PrepareEvent
  | ({ type: 'run-skip'; metrics: RunMetrics } & RunPosition)
  /** The same run had finished in another experiment folder (`reuse`); its results were copied. */
  | ({ type: 'run-reuse'; from: string; metrics: RunMetrics } & RunPosition)
  | ({ type: 'run-start'; resume: boolean; etaMs?: number } & RunPosition)
  /** A training event of the current run; `etaMs` is the time left for the whole spec, when it can be estimated. */
  | ({ type: 'run-event'; event: TrainRunEvent; etaMs?: number } & RunPosition)
  | ({ type: 'run-end'; metrics: RunMetrics; wallMs: number; etaMs?: number } & RunPosition)
  | ({ type: 'run-fail'; error: string } & RunPosition)
  /** Another live process is training this run (its claim file is in the run directory); left to it. */
  | ({ type: 'run-busy' } & RunPosition)
  | { type: 'report'; path: string };

export interface RunExperimentOptions {
  /** The command line (or call) that started this, stated at the top of the report. */
  command?: string;
  signal?: AbortSignal;
  onProgress?: (e: ExperimentEvent) => void;
  /** Other experiment folders whose finished runs stand in for identical planned runs (reuse.ts). */
  reuse?: readonly string[];
}

export interface ExperimentResult {
  /** Runs trained (or resumed) to the end in this call. */
  trained: string[];
  /** Runs already finished before this call. */
  skipped: string[];
  /** Runs copied from an identical finished run of another experiment folder. */
  reused: string[];
  /** Runs another process was training (left to it). */
  busy: string[];
  reportPath: string;
}

/** The state of every planned run, read from its run directory. */
export async function runStates(plan: ExperimentPlan): Promise<Map<string, RunState>> {
  const out = new Map<string, RunState>();
  for (const run of plan.runs) out.set(run.id, await runState(run));
  return out;
}

export async function runState(run: PlannedRun): Promise<RunState> {
  if (!run.config) return { state: 'invalid', reason: run.error ?? 'invalid config' };
  const configPath = join(run.runDir, 'config.json');
  if (!existsSync(configPath)) return { state: 'pending' };
  const was = JSON.parse(await readFile(configPath, 'utf8')) as TrainRunConfig;
  const diff = firstDifference(comparableConfig(was), comparableConfig(run.config));
  if (diff) return { state: 'stale', reason: `${run.runDir} was made with ${diff}` };
  const metricsPath = join(run.runDir, 'metrics.json');
  if (existsSync(metricsPath)) return { state: 'done', metrics: JSON.parse(await readFile(metricsPath, 'utf8')) as RunMetrics };
  return existsSync(join(run.runDir, 'checkpoints', 'last.safetensors')) ? { state: 'partial' } : { state: 'pending' };
}

/**
 * Run a planned experiment: prepare data and text (cached), then every run in order (dataset, noise, seed,
 * arm) in `<out>/runs/<runId>/`. Finished runs are skipped, started ones resume from their last checkpoint,
 * each run is upserted in the store's `experiment_runs`, and `report.md` with its charts is rewritten after
 * every finished run. A pending run that finished in one of `opts.reuse`'s folders with the same config, data
 * and text is copied instead of trained. An abort (signal) stops inside the current epoch; everything stays
 * resumable.
 */
export async function runExperiment(plan: ExperimentPlan, opts: RunExperimentOptions = {}): Promise<ExperimentResult> {
  const states = await runStates(plan);
  const problems = (kind: RunState['state']): string[] => [...new Set(plan.runs.flatMap((r) => {
    const s = states.get(r.id)!;
    return s.state === kind && 'reason' in s ? [s.reason] : [];
  }))];
  const invalid = problems('invalid');
  if (invalid.length) throw new ConfigError(`${invalid.join('\n')}\n(run the other arms with --only)`);
  const stale = problems('stale');
  if (stale.length) throw new ConfigError(`${stale.slice(0, 5).join('\n')}\n(use another --out, or delete those run directories to redo them)`);

  const store = openStore(join(plan.workspace, 'lmmrec.sqlite'));
  const command = opts.command ?? 'runExperiment()';
  const report = async (): Promise<string> => {
    const path = await writeExperimentReport(plan.outDir, { command });
    opts.onProgress?.({ type: 'report', path });
    return path;
  };
  try {
    const datasets = await prepareExperiment(plan, { store, signal: opts.signal, onProgress: opts.onProgress });
    await writeExperimentManifest(plan, datasets, command, await readExperimentManifest(plan.outDir));
    const estimate = createEstimator();
    for (const r of plan.runs) {
      const s = states.get(r.id)!;
      if (s.state === 'done') estimate.add(r, s.metrics.trainMs + s.metrics.testMs);
    }
    const trained: string[] = [], skipped: string[] = [], busy: string[] = [], reused: string[] = [];
    const reuse = opts.reuse?.length ? createReuseIndex(opts.reuse) : undefined;
    const failed: { id: string; error: string; code: ErrorCode }[] = [];
    const total = plan.runs.length;
    for (const [index, run] of plan.runs.entries()) {
      let s = states.get(run.id)!;
      const pos = { run, index, total };
      const config = run.config!;
      const withConfig = { ...run, config };
      const rec = { outDir: plan.outDir, experiment: plan.spec.name, run: withConfig };
      if (s.state === 'done') {
        recordRun(store, { ...rec, status: 'done', metrics: s.metrics });
        skipped.push(run.id);
        opts.onProgress?.({ type: 'run-skip', metrics: s.metrics, ...pos });
        continue;
      }
      opts.signal?.throwIfAborted();
      const release = await claimRun(run.runDir);
      if (!release) {
        busy.push(run.id);
        opts.onProgress?.({ type: 'run-busy', ...pos });
        continue;
      }
      try {
        // Read again: another session into this folder may have finished or started it since this one began.
        s = await runState(run);
        if (s.state === 'done') {
          skipped.push(run.id);
          opts.onProgress?.({ type: 'run-skip', metrics: s.metrics, ...pos });
          continue;
        }
        const from = s.state === 'pending' ? await reuse?.find(withConfig) : undefined;
        if (from) {
          const metrics = await adoptRun(from, withConfig);
          estimate.add(run, metrics.trainMs + metrics.testMs);
          recordRun(store, { ...rec, status: 'done', metrics });
          reused.push(run.id);
          opts.onProgress?.({ type: 'run-reuse', from, metrics, ...pos });
          continue;
        }
        const after = plan.runs.slice(index + 1).filter((r) => states.get(r.id)!.state !== 'done');
        const resume = s.state === 'partial';
        const t0 = performance.now();
        // Before any run has finished, this run's own projection (elapsed + the trainer's lower-bound ETA) stands in
        // for every run without a measured estimate.
        let guess: number | undefined;
        const eta = (): number | undefined => {
          const elapsed = performance.now() - t0;
          const mine = estimate.of(run, true) ?? guess ?? estimate.of(run);
          const rest = estimate.sum(after, guess);
          return rest === undefined || mine === undefined ? undefined : rest + Math.max(0, mine - elapsed);
        };
        recordRun(store, { ...rec, status: 'running' });
        opts.onProgress?.({ type: 'run-start', resume, etaMs: eta(), ...pos });
        const onProgress = (event: TrainRunEvent): void => {
          if (event.type === 'epoch') guess = performance.now() - t0 + event.etaMs;
          opts.onProgress?.({ type: 'run-event', event, etaMs: eta(), ...pos });
        };
        let metrics: RunMetrics;
        try {
          metrics = (resume
            ? await resumeTrainRun(run.runDir, { onProgress, signal: opts.signal })
            : await trainRun({ config, runDir: run.runDir, onProgress, signal: opts.signal })).metrics;
        } catch (e) {
          if (e instanceof LmmrecError && e.code === 'ABORTED') {
            recordRun(store, { ...rec, status: 'aborted', error: e.message });
            await report();
            throw e;
          }
          // One broken arm (e.g. a plug-in that rejects this base model) must not stop a long spec: record it,
          // go on, and fail at the end. A re-run retries it.
          const error = (e as Error).message;
          recordRun(store, { ...rec, status: 'failed', error });
          await mkdir(run.runDir, { recursive: true });
          await writeFile(join(run.runDir, FAILED_FILE), `${JSON.stringify({ error, at: new Date().toISOString() }, null, 2)}\n`);
          failed.push({ id: run.id, error, code: e instanceof LmmrecError ? e.code : 'INTERNAL' });
          opts.onProgress?.({ type: 'run-fail', error, ...pos });
          await report();
          continue;
        }
        await rm(join(run.runDir, FAILED_FILE), { force: true });
        const wallMs = performance.now() - t0;
        estimate.add(run, metrics.trainMs + metrics.testMs);
        recordRun(store, { ...rec, status: 'done', metrics });
        trained.push(run.id);
        opts.onProgress?.({ type: 'run-end', metrics, wallMs, etaMs: estimate.sum(after), ...pos });
        await report();
      } finally {
        await release();
      }
    }
    const reportPath = await report();
    if (failed.length) {
      throw new LmmrecError(failed[0].code, `${failed.length} run(s) failed (the others finished; see ${reportPath}):\n` +
        failed.map((f) => `  ${f.id}: ${f.error.split('\n')[0]}`).join('\n'));
    }
    return { trained, skipped, busy, reused, reportPath };
  } finally {
    store.close();
  }
}

/**
 * Time estimates for runs from finished ones: the mean of the same dataset, noise and arm, else of the same
 * dataset and arm, else of the dataset, else of everything.
 */
function createEstimator(): {
  add(r: PlannedRun, ms: number): void; of(r: PlannedRun, sameArmOnly?: boolean): number | undefined; sum(rs: PlannedRun[], fallback?: number): number | undefined;
} {
  const sums = new Map<string, { ms: number; n: number }>();
  const keys = (r: PlannedRun): string[] => [`${r.dataset}|${r.noise}|${r.arm}`, `${r.dataset}|*|${r.arm}`, `${r.dataset}|*|*`, '*'];
  const of = (r: PlannedRun, sameArmOnly = false): number | undefined => {
    for (const k of keys(r).slice(0, sameArmOnly ? 2 : 4)) {
      const s = sums.get(k);
      if (s) return s.ms / s.n;
    }
    return undefined;
  };
  return {
    add(r, ms) {
      for (const k of keys(r)) {
        const s = sums.get(k) ?? { ms: 0, n: 0 };
        sums.set(k, { ms: s.ms + ms, n: s.n + 1 });
      }
    },
    of,
    sum(rs, fallback) {
      let t = 0;
      for (const r of rs) {
        const v = of(r) ?? fallback;
        if (v === undefined) return undefined;
        t += v;
      }
      return t;
    },
  };
}

/** `train.epochs 2 (now 300)` for the first differing leaf, or undefined when equal. */
function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (stableStringify(a) === stableStringify(b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const ra = a as Record<string, unknown>, rb = b as Record<string, unknown>;
    for (const k of [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort()) {
      const d = firstDifference(ra[k], rb[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
  }
  return `${path || '(root)'} ${JSON.stringify(a)} (now ${JSON.stringify(b)})`;
}
