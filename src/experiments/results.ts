import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PerUserMetrics } from '../eval/full-ranking.js';
import type { MetricKey } from '../eval/metrics.js';
import { readPerUserTsv, RUN_PER_USER_FILE } from '../eval/per-user.js';
import { compareRuns, type RunComparison } from '../eval/significance.js';
import type { ExperimentManifest, ManifestRun } from './manifest.js';
import { REUSED_FILE, type ReusedFrom } from './reuse.js';
import { focusList } from './spec.js';
import type { RunMetrics } from './train-run.js';

/** A run as found on disk: finished (metrics.json), started (log.jsonl with epochs) or not started. */
export interface RunResult {
  run: ManifestRun;
  status: 'done' | 'partial' | 'pending' | 'failed';
  metrics?: RunMetrics;
  /** Why the last attempt failed (status failed). */
  error?: string;
  /** Validation values of the early-stopping metric by epoch (from the log while a run is unfinished). */
  curve: { epoch: number; value: number }[];
  /** Last completed epoch. */
  epoch: number;
  /** The run directory of another experiment this run's results were copied from (reuse.ts). */
  reusedFrom?: string;
}

export interface Summary {
  mean: number;
  /** Sample standard deviation (n − 1); null for fewer than two values. */
  sd: number | null;
  n: number;
}

export function meanSd(values: readonly number[]): Summary {
  const n = values.length;
  if (n === 0) return { mean: NaN, sd: null, n };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n < 2) return { mean, sd: null, n };
  const ss = values.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(ss / (n - 1)), n };
}

export async function collectRuns(manifest: ExperimentManifest, curveMetric = 'recall@20'): Promise<RunResult[]> {
  const out: RunResult[] = [];
  for (const run of manifest.runs) {
    const metricsPath = join(run.runDir, 'metrics.json');
    if (existsSync(metricsPath)) {
      const metrics = JSON.parse(await readFile(metricsPath, 'utf8')) as RunMetrics;
      const curve = metrics.history.filter((h) => h.metrics[curveMetric] !== undefined).map((h) => ({ epoch: h.epoch, value: h.metrics[curveMetric] }));
      const reusedPath = join(run.runDir, REUSED_FILE);
      const reusedFrom = existsSync(reusedPath) ? (JSON.parse(await readFile(reusedPath, 'utf8')) as ReusedFrom).from : undefined;
      out.push({ run, status: 'done', metrics, curve, epoch: metrics.epochs, ...(reusedFrom && { reusedFrom }) });
      continue;
    }
    const logPath = join(run.runDir, 'log.jsonl');
    const curve: RunResult['curve'] = [];
    let epoch = 0;
    if (existsSync(logPath)) {
      for (const line of (await readFile(logPath, 'utf8')).split('\n')) {
        if (!line.trim()) continue;
        let e: { type?: string; epoch?: number; metrics?: Record<string, number> };
        try {
          e = JSON.parse(line);
        } catch {
          continue; // a line cut by a kill
        }
        if (e.type === 'epoch' && typeof e.epoch === 'number') epoch = Math.max(epoch, e.epoch);
        if (e.type === 'validate' && typeof e.epoch === 'number' && e.metrics?.[curveMetric] !== undefined) {
          // A resumed run repeats validations after its last checkpoint; keep the latest value per epoch.
          const at = curve.findIndex((c) => c.epoch === e.epoch);
          if (at >= 0) curve.splice(at, 1);
          curve.push({ epoch: e.epoch, value: e.metrics[curveMetric] });
        }
      }
    }
    const failedPath = join(run.runDir, 'failed.json');
    const error = existsSync(failedPath) ? (JSON.parse(await readFile(failedPath, 'utf8')) as { error: string }).error : undefined;
    const status = error !== undefined ? 'failed' : epoch > 0 ? 'partial' : 'pending';
    out.push({ run, status, ...(error !== undefined && { error }), curve: curve.sort((a, b) => a.epoch - b.epoch), epoch });
  }
  return out;
}

/** One table row: an arm on a dataset at one noise rate, over its seeds. */
export interface ArmRow {
  dataset: string;
  noise: number | null;
  arm: string;
  baseline: string;
  planned: number;
  done: number;
  /** Test metrics over finished seeds. */
  test: Record<string, Summary>;
  epochs: Summary;
  secPerEpoch: Summary;
  /** Training + test pass per run, seconds. */
  wallSec: Summary;
}

export function groupKey(dataset: string, noise: number | null): string {
  return `${dataset}|${noise ?? '-'}`;
}

/** Rows in spec order (dataset, noise, arm). */
export function aggregate(results: RunResult[], manifest: ExperimentManifest): ArmRow[] {
  const keys = metricKeys(manifest);
  const rows = new Map<string, { row: Omit<ArmRow, 'test' | 'epochs' | 'secPerEpoch' | 'wallSec'>; done: RunMetrics[] }>();
  for (const r of results) {
    const k = `${groupKey(r.run.dataset, r.run.noise)}|${r.run.arm}`;
    const g = rows.get(k) ?? { row: { dataset: r.run.dataset, noise: r.run.noise, arm: r.run.arm, baseline: r.run.baseline, planned: 0, done: 0 }, done: [] };
    g.row.planned++;
    if (r.metrics) {
      g.row.done++;
      g.done.push(r.metrics);
    }
    rows.set(k, g);
  }
  const arms = manifest.spec.arms.map((a) => a.name), datasets = manifest.spec.datasets.map((d) => d.id);
  return [...rows.values()]
    .map(({ row, done }) => ({
      ...row,
      test: Object.fromEntries(keys.map((k) => [k, meanSd(done.map((m) => m.test[k]).filter((v) => v !== undefined))])),
      epochs: meanSd(done.map((m) => m.epochs)),
      secPerEpoch: meanSd(done.map((m) => m.meanEpochMs / 1000)),
      wallSec: meanSd(done.map((m) => (m.trainMs + m.testMs) / 1000)),
    }))
    .sort((a, b) => datasets.indexOf(a.dataset) - datasets.indexOf(b.dataset) || (a.noise ?? 0) - (b.noise ?? 0) || arms.indexOf(a.arm) - arms.indexOf(b.arm));
}

/** `recall@5 … ndcg@20` in the spec's metric and K order. */
export function metricKeys(manifest: Pick<ExperimentManifest, 'spec'>): string[] {
  return manifest.spec.metrics.flatMap((m) => manifest.spec.ks.map((k) => `${m}@${k}`));
}

/** Relative gain in percent of `value` over `base`. */
export function relativeGain(value: number, base: number): number {
  return ((value - base) / base) * 100;
}

export interface SignificanceRow {
  dataset: string;
  noise: number | null;
  arm: string;
  against: string;
  why: 'baseline' | 'best other arm' | 'best rival';
  /** Seeds finished by both arms, whose per-user values are averaged. */
  seeds: number[];
  metric: string;
  comparison?: RunComparison;
  note?: string;
}

/**
 * Paired tests per dataset and noise rate: every arm against its baseline, and each focus arm (spec `focus`,
 * default the last arm) against the best of its rivals (default every other arm) by mean test value of the
 * first significance metric.
 * Seed-matched: each user's metric is averaged over the seeds both arms finished, then the users are paired.
 */
export async function significance(results: RunResult[], rows: ArmRow[], manifest: ExperimentManifest): Promise<SignificanceRow[]> {
  const spec = manifest.spec;
  const focus = focusList(spec);
  const out: SignificanceRow[] = [];
  const groups = [...new Set(rows.map((r) => groupKey(r.dataset, r.noise)))];
  for (const g of groups) {
    const inGroup = rows.filter((r) => groupKey(r.dataset, r.noise) === g);
    const pairs: { arm: string; against: string; why: SignificanceRow['why'] }[] = inGroup
      .filter((r) => r.baseline !== r.arm && inGroup.some((o) => o.arm === r.baseline))
      .map((r) => ({ arm: r.arm, against: r.baseline, why: 'baseline' as const }));
    const lead = spec.significance[0];
    for (const f of focus) {
      const rivals = inGroup.filter((r) => r.arm !== f.arm && (f.against ?? [r.arm]).includes(r.arm) && r.done > 0 && r.test[lead]);
      const best = rivals.sort((a, b) => b.test[lead].mean - a.test[lead].mean)[0];
      if (inGroup.some((r) => r.arm === f.arm) && best && !pairs.some((p) => p.arm === f.arm && p.against === best.arm)) {
        pairs.push({ arm: f.arm, against: best.arm, why: f.against ? 'best rival' : 'best other arm' });
      }
    }
    for (const p of pairs) {
      const { dataset, noise } = inGroup[0];
      const runsOf = (arm: string) => new Map(results.filter((r) => groupKey(r.run.dataset, r.run.noise) === g && r.run.arm === arm && r.status === 'done').map((r) => [r.run.seed, r]));
      const a = runsOf(p.arm), b = runsOf(p.against);
      const seeds = [...a.keys()].filter((s) => b.has(s)).sort((x, y) => x - y);
      for (const metric of spec.significance) {
        const row: SignificanceRow = { dataset, noise, ...p, seeds, metric };
        if (seeds.length === 0) {
          out.push({ ...row, note: 'no seed finished by both arms' });
          continue;
        }
        try {
          const pa = await seedMean(seeds.map((s) => a.get(s)!.run.runDir), metric);
          const pb = await seedMean(seeds.map((s) => b.get(s)!.run.runDir), metric);
          out.push({ ...row, comparison: compareRuns(pa, pb, metric as MetricKey) });
        } catch (e) {
          out.push({ ...row, note: (e as Error).message });
        }
      }
    }
  }
  return out;
}

/** Each user's metric averaged over runs (which must evaluate the same users). */
async function seedMean(runDirs: string[], metric: string): Promise<PerUserMetrics> {
  let users: Int32Array | undefined;
  let sum: Float64Array | undefined;
  for (const dir of runDirs) {
    const file = existsSync(join(dir, RUN_PER_USER_FILE)) ? join(dir, RUN_PER_USER_FILE) : join(dir, 'test-per-user.tsv');
    const p = await readPerUserTsv(file);
    const v = p[metric as MetricKey];
    if (!v) throw new RangeError(`${file} has no ${metric}`);
    if (!users || !sum) {
      users = p.users;
      sum = Float64Array.from(v);
      continue;
    }
    if (p.users.length !== users.length || p.users.some((u, i) => u !== users![i])) throw new RangeError(`${dir}: evaluates other users than ${runDirs[0]}`);
    for (let i = 0; i < v.length; i++) sum[i] += v[i];
  }
  for (let i = 0; i < sum!.length; i++) sum![i] /= runDirs.length;
  return { users: users!, [metric]: sum! } as PerUserMetrics;
}
