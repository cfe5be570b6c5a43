import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { lmmrecVersion } from '../data/preprocess/manifest.js';
import { LmmrecError } from '../util/errors.js';
import { writeFileAtomic } from '../util/write-atomic.js';
import { learningCurveChart, metricBarsChart, noiseChart, renderSvg } from './charts.js';
import { machineInfo, readExperimentManifest, type ExperimentManifest } from './manifest.js';
import { ratePercent } from './plan.js';
import {
  aggregate, collectRuns, groupKey, metricKeys, relativeGain, significance, type ArmRow, type RunResult, type SignificanceRow, type Summary,
} from './results.js';
import { type Selection, validationPicks } from './select.js';
import { type ExperimentSpec, focusList } from './spec.js';
import type { TrainRunConfig } from './train-run.js';

export interface ReportOptions {
  /** The command that made this report, stated at its top. */
  command?: string;
}

/**
 * Rewrite `<out>/report.md` and its SVG charts from experiment.json and the run directories: tables of test
 * metrics (mean ± sd over seeds), relative gains, paired significance, timings, learning curves and, with
 * noise rates, the noise curves. Unfinished runs are listed as such. Returns the report's path.
 */
export async function writeExperimentReport(outDir: string, opts: ReportOptions = {}): Promise<string> {
  const manifest = await readExperimentManifest(outDir);
  if (!manifest) throw new LmmrecError('USAGE', `${join(outDir, 'experiment.json')} not found: not an experiment folder (run \`lmmrec experiment run\` first)`);
  const results = await collectRuns(manifest);
  const rows = aggregate(results, manifest);
  const sig = await significance(results, rows, manifest);
  const charts = await writeCharts(outDir, manifest, results, rows);
  const config = await firstConfig(results);
  const md = formatReport({ manifest, results, rows, sig, charts, config, command: opts.command ?? 'writeExperimentReport()' });
  const path = join(outDir, 'report.md');
  await writeFileAtomic(path, md);
  return path;
}

interface ReportParts {
  manifest: ExperimentManifest;
  results: RunResult[];
  rows: ArmRow[];
  sig: SignificanceRow[];
  /** Chart files by group key (`curves`, `metrics`) or dataset (`noise`). */
  charts: { group: string; file: string; alt: string }[];
  config?: TrainRunConfig;
  command: string;
}

export function formatReport(p: ReportParts): string {
  const { manifest: m, results, rows } = p;
  const spec = m.spec;
  const keys = metricKeys(m);
  const counts = { done: 0, partial: 0, pending: 0, failed: 0 };
  for (const r of results) counts[r.status]++;
  const now = machineInfo();
  const seeds = [...new Set(m.runs.map((r) => r.seed))].sort((a, b) => a - b);
  const out: string[] = [`# Experiment ${spec.name}`, ''];
  if (spec.description) out.push(spec.description.trim(), '');
  for (const note of spec.notes ?? []) out.push(`> **Note.** ${note.trim()}`, '');
  out.push(
    `Report made by \`${p.command}\` at ${new Date().toISOString()}.`, '',
    ...m.sessions.map((s) => `- runs: \`${s.command}\` at ${s.at} on ${s.machine.cores} cores (${s.machine.cpu}), load ${s.machine.loadavg.join(' / ')}, ${s.machine.node}`),
    `- now: ${now.cores} cores, load ${now.loadavg.join(' / ')} (1/5/15 min), lmmrec ${lmmrecVersion()} (runs recorded ${m.lmmrecVersion})`,
    `- spec: ${m.specPath}; seeds ${seeds.join(', ')}; baseline arm ${spec.baseline}; focus arm ${focusList(spec).map((f) => f.against ? `${f.arm} (vs the best of ${f.against.join(', ')})` : f.arm).join('; ')}`,
  );
  if (p.config) {
    const es = p.config.train.earlyStop;
    out.push(`- protocol ${p.config.eval.protocol}: full ranking, train items masked, K ∈ {${spec.ks.join(', ')}}; early stop on valid ${es.metric} every ${es.every} epochs, patience ${es.patience}, at most ${p.config.train.epochs} epochs`);
  }
  out.push(`- progress: ${counts.done} of ${results.length} runs finished` + (counts.partial ? `, ${counts.partial} started (resumable)` : '') + (counts.pending ? `, ${counts.pending} not started` : '') +
    (counts.failed ? `, ${counts.failed} failed (errors under Runs)` : '') + notRequested(m, results.length),
    computeTime(results), '');

  out.push('## Data', '', '| dataset | folder | users | items | sha256 train / valid / test |', '|---|---|---:|---:|---|');
  for (const d of m.datasets) {
    out.push(`| ${d.id} | ${d.dir} | ${d.users} | ${d.items} | ${['train.tsv', 'valid.tsv', 'test.tsv'].map((f) => `\`${d.hashes[f]?.slice(0, 12)}\``).join(' / ')} |`);
    for (const [rate, n] of Object.entries(d.noisy)) out.push(`| ${d.id} + ${ratePercent(Number(rate))} % noise | ${n.dir} | | | train \`${n.trainSha256.slice(0, 12)}\` (noise seed ${spec.noiseSeed}) |`);
    for (const [name, t] of Object.entries(d.text)) out.push(`| ${d.id} text "${name}" | ${t.file} | | | \`${t.sha256.slice(0, 12)}\` |`);
  }
  out.push('');

  const groups = [...new Map(rows.map((r) => [groupKey(r.dataset, r.noise), r])).values()];
  for (const g of groups) {
    const key = groupKey(g.dataset, g.noise);
    const inGroup = rows.filter((r) => groupKey(r.dataset, r.noise) === key);
    out.push(`## ${g.dataset}${g.noise === null ? '' : `, ${ratePercent(g.noise)} % noise`}`, '');
    out.push(`Test metrics, mean ± sd over finished seeds (sample sd; a single seed has none).`, '');
    out.push(`| arm | seeds | ${keys.join(' | ')} | epochs | s/epoch | wall/run |`, `|---|---|${keys.map(() => '---:').join('|')}|---:|---:|---:|`);
    for (const r of inGroup) {
      const cells = r.done === 0 ? keys.map(() => 'not finished') : keys.map((k) => fmtSummary(r.test[k]));
      const seedsCell = r.done === r.planned ? String(r.done) : `${r.done}/${r.planned} (unfinished)`;
      const t = r.done === 0 ? ['–', '–', '–'] : [fmtNum(r.epochs.mean, 1), fmtNum(r.secPerEpoch.mean, 3), fmtDuration(r.wallSec.mean)];
      out.push(`| ${r.arm} | ${seedsCell} | ${cells.join(' | ')} | ${t.join(' | ')} |`);
    }
    out.push('');
    const gains = inGroup.filter((r) => r.arm !== r.baseline);
    if (gains.length) {
      out.push('Relative gain over the baseline arm (% of its mean), and the cost of an epoch as a multiple of the baseline\'s ' +
        '(mean s/epoch; runs that shared the machine with other jobs are noisier).', '',
        `| arm | vs | ${keys.join(' | ')} | s/epoch × |`, `|---|---|${keys.map(() => '---:').join('|')}|---:|`);
      for (const r of gains) {
        const base = inGroup.find((b) => b.arm === r.baseline);
        const both = base !== undefined && r.done > 0 && base.done > 0;
        const cells = keys.map((k) => (both ? fmtPct(relativeGain(r.test[k].mean, base.test[k].mean)) : '–'));
        const cost = both ? fmtNum(r.secPerEpoch.mean / base.secPerEpoch.mean, 2) : '–';
        out.push(`| ${r.arm} | ${r.baseline} | ${cells.join(' | ')} | ${cost} |`);
      }
      out.push('');
    }
    for (const c of p.charts.filter((c) => c.group === key)) out.push(`![${c.alt}](${c.file})`, '');
  }

  if (p.sig.length) {
    out.push('## Paired significance', '', 'Per test user: the metric averaged over the seeds both arms finished; then a two-sided paired t-test and ' +
      'Wilcoxon signed-rank test over users (scipy ttest_rel / wilcoxon conventions).', '');
    out.push('| dataset | arm | vs | why | seeds | metric | mean A | mean B | Δ % | t | p (t) | W | p (W) |', '|---|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const s of p.sig) {
      const ds = `${s.dataset}${s.noise === null ? '' : ` ${ratePercent(s.noise)} %`}`;
      const head = `| ${ds} | ${s.arm} | ${s.against} | ${s.why} | ${s.seeds.join(',') || '–'} | ${s.metric}`;
      const c = s.comparison;
      out.push(c
        ? `${head} | ${c.meanA.toFixed(4)} | ${c.meanB.toFixed(4)} | ${fmtPct(relativeGain(c.meanA, c.meanB))} | ${c.tTest.t.toFixed(2)} | ${fmtP(c.tTest.p)} | ${c.wilcoxon.statistic} | ${fmtP(c.wilcoxon.p)} |`
        : `${head} | ${s.note ?? '–'} | | | | | | |`);
    }
    out.push('');
  }

  const picks = validationPicks(spec, results, p.config?.train.earlyStop.metric ?? 'recall@20');
  if (picks.length) out.push(...formatPicks(picks));

  if (spec.noise) out.push(...formatNoise(spec, rows, p.charts));

  out.push('## Runs', '', '| run | status | epochs | best epoch | valid recall@20 | test recall@20 | test ndcg@20 | wall |', '|---|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const mm = r.metrics;
    // The path as seen from this experiment folder (`<out>/runs/<id>`), e.g. ../ablation/runs/<id>.
    const reused = r.reusedFrom ? `; reused from ${relative(dirname(dirname(r.run.runDir)), r.reusedFrom)}` : '';
    const status = r.status === 'done' ? `done (${mm!.stopped}${reused})` : r.status === 'partial' ? `unfinished, epoch ${r.epoch}`
      : r.status === 'failed' ? `failed: ${r.error!.split('\n')[0].replace(/\|/g, '\\|')}` : 'not started';
    const v = (x: number | undefined) => (x === undefined ? '–' : x.toFixed(4));
    out.push(`| ${r.run.id} | ${status} | ${r.epoch || '–'} | ${mm?.bestEpoch ?? '–'} | ${v(mm?.valid?.['recall@20'] ?? r.curve.at(-1)?.value)} | ${v(mm?.test['recall@20'])} | ${v(mm?.test['ndcg@20'])} | ${mm ? fmtDuration((mm.trainMs + mm.testMs) / 1000) : '–'} |`);
  }
  out.push('');
  return out.join('\n');
}

function formatPicks(picks: readonly Selection[]): string[] {
  const ds = picks[0].datasets;
  const out = [
    '## Validation picks', '',
    `Of each selection's arms, the one with the best validation ${picks[0].metric} (mean over seeds, then over the datasets ` +
    'on which every candidate run there has finished; a candidate not run on such a dataset is left out; a tie goes to ' +
    'the first listed). Test metrics play no part.', '',
    `| selection | arm | ${ds.join(' | ')} | mean | |`, `|---|---|${ds.map(() => '---:').join('|')}|---:|---|`,
  ];
  for (const sel of picks) {
    const over = sel.used.length === 0 ? 'no dataset whose candidate runs have all finished yet'
      : sel.used.length < ds.length ? `mean over ${sel.used.join(', ')} only` : '';
    sel.candidates.forEach((c, i) => {
      const cells = c.byDataset.map((v) => (v === undefined ? '–' : v.toFixed(4)));
      const mark = c.arm === sel.picked ? '**picked**' : '';
      out.push(`| ${i === 0 ? sel.name : ''} | ${c.arm} | ${cells.join(' | ')} | ${c.mean === undefined ? '–' : c.mean.toFixed(4)} | ${[mark, i === 0 ? over : ''].filter(Boolean).join('; ')} |`);
    });
  }
  out.push('');
  return out;
}

async function writeCharts(outDir: string, m: ExperimentManifest, results: RunResult[], rows: ArmRow[]): Promise<ReportParts['charts']> {
  const arms = m.spec.arms.map((a) => a.name), keys = metricKeys(m);
  const charts: ReportParts['charts'] = [];
  const write = (file: string, svg: string): Promise<void> => writeFileAtomic(join(outDir, file), svg);
  const groups = [...new Map(rows.map((r) => [groupKey(r.dataset, r.noise), r])).values()];
  for (const g of groups) {
    const key = groupKey(g.dataset, g.noise);
    const slug = `${g.dataset}${g.noise === null ? '' : `-n${ratePercent(g.noise)}`}`;
    const label = `${g.dataset}${g.noise === null ? '' : `, ${ratePercent(g.noise)} % noise`}`;
    const points = results
      .filter((r) => groupKey(r.run.dataset, r.run.noise) === key)
      .flatMap((r) => r.curve.map((c) => ({ arm: r.run.arm, seed: r.run.seed, epoch: c.epoch, value: c.value })));
    if (points.length) {
      await write(`curves-${slug}.svg`, await renderSvg(learningCurveChart(points, arms, { title: `${label}: validation recall@20`, metric: 'recall@20' })));
      charts.push({ group: key, file: `curves-${slug}.svg`, alt: `learning curves, ${label}` });
    }
    const bars = rows.filter((r) => groupKey(r.dataset, r.noise) === key && r.done > 0)
      .flatMap((r) => keys.map((k) => ({ arm: r.arm, metric: k, mean: r.test[k].mean, sd: r.test[k].sd })));
    if (bars.length) {
      await write(`metrics-${slug}.svg`, await renderSvg(metricBarsChart(bars, arms, keys, { title: `${label}: test metrics` })));
      charts.push({ group: key, file: `metrics-${slug}.svg`, alt: `test metrics, ${label}` });
    }
  }
  if (m.spec.noise) {
    for (const ds of m.spec.datasets) {
      const pts = rows.filter((r) => r.dataset === ds.id && r.noise !== null && r.done > 0)
        .flatMap((r) => m.spec.significance.map((k) => ({ arm: r.arm, rate: Number(ratePercent(r.noise!)), metric: k, mean: r.test[k].mean })));
      if (!pts.length) continue;
      await write(`noise-${ds.id}.svg`, await renderSvg(noiseChart(pts, arms, { title: `${ds.id}: test metrics vs added noise` })));
      charts.push({ group: `noise|${ds.id}`, file: `noise-${ds.id}.svg`, alt: `noise curves, ${ds.id}` });
    }
  }
  return charts;
}

async function firstConfig(results: RunResult[]): Promise<TrainRunConfig | undefined> {
  for (const r of results) {
    const p = join(r.run.runDir, 'config.json');
    if (existsSync(p)) return JSON.parse(await readFile(p, 'utf8')) as TrainRunConfig;
  }
  return undefined;
}

export function fmtSummary(s: Summary): string {
  if (s.n === 0) return '–';
  return s.sd === null ? s.mean.toFixed(4) : `${s.mean.toFixed(4)} ± ${s.sd.toFixed(4)}`;
}

function fmtNum(v: number, digits: number): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '–';
}

function fmtPct(v: number): string {
  return Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(2)}` : '–';
}

function fmtP(p: number): string {
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
}

function fmtDuration(sec: number): string {
  if (!Number.isFinite(sec)) return '–';
  if (sec < 60) return `${sec.toFixed(1)} s`;
  const m = Math.floor(sec / 60);
  return m < 60 ? `${m}m${String(Math.round(sec % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * What the finished runs cost: training (validations included) plus the test pass, summed over the runs trained
 * here and, separately, over those copied from another experiment (`--reuse`), which cost nothing here.
 */
function computeTime(results: readonly RunResult[]): string {
  const sum = (rs: readonly RunResult[]) => rs.reduce((s, r) => s + (r.metrics!.trainMs + r.metrics!.testMs) / 1000, 0);
  const done = results.filter((r) => r.status === 'done');
  const own = done.filter((r) => !r.reusedFrom), reused = done.filter((r) => r.reusedFrom);
  const runs = (n: number) => `${n} run${n === 1 ? '' : 's'}`;
  return `- compute: ${fmtDuration(sum(own))} of one process for the ${runs(own.length)} trained here` +
    (reused.length ? `; ${runs(reused.length)} reused from other experiments (${fmtDuration(sum(reused))} when they were trained)` : '');
}

/**
 * Per dataset and metric: each arm's test value at each rate, then its change from its own 0 % value, which is
 * what "falls less as noise grows" is read from (arms start from different levels).
 */
function formatNoise(spec: ExperimentSpec, rows: ArmRow[], charts: ReportParts['charts']): string[] {
  const out = ['## Noise robustness', ''];
  for (const ds of spec.datasets) {
    // rates no session has requested yet (`--rates`) get no column; the header counts them
    const rates = (spec.noise ?? []).filter((r) => rows.some((x) => x.dataset === ds.id && x.noise === r));
    const arms = spec.arms.filter((a) => rows.some((x) => x.dataset === ds.id && x.arm === a.name));
    const at = (arm: string, rate: number) => rows.find((x) => x.dataset === ds.id && x.noise === rate && x.arm === arm && x.done > 0);
    const change = (arm: string, rate: number, k: string): number | undefined => {
      const clean = at(arm, 0)?.test[k].mean, v = at(arm, rate)?.test[k].mean;
      return clean && v !== undefined ? v / clean - 1 : undefined;
    };
    for (const k of spec.significance) {
      out.push(`${ds.id}, test ${k} by added noise:`, '', `| arm | ${rates.map((r) => `${ratePercent(r)} %`).join(' | ')} |`, `|---|${rates.map(() => '---:').join('|')}|`);
      for (const arm of arms) out.push(`| ${arm.name} | ${rates.map((rate) => { const r = at(arm.name, rate); return r ? fmtSummary(r.test[k]) : '–'; }).join(' | ')} |`);
      out.push('');
      const noisy = rates.filter((r) => r > 0);
      if (!rates.includes(0) || !noisy.length) continue;
      out.push(`${ds.id}, change of test ${k} from the arm's own 0 % value (mean over seeds):`, '', `| arm | ${noisy.map((r) => `${ratePercent(r)} %`).join(' | ')} |`, `|---|${noisy.map(() => '---:').join('|')}|`);
      for (const arm of arms) out.push(`| ${arm.name} | ${noisy.map((rate) => fmtChange(change(arm.name, rate, k))).join(' | ')} |`);
      out.push('', ...noiseVerdict(spec, ds.id, noisy, k, (arm, rate) => change(arm, rate, k)));
    }
    for (const c of charts.filter((c) => c.group === `noise|${ds.id}`)) out.push(`![${c.alt}](${c.file})`, '');
  }
  return out;
}

function fmtChange(c: number | undefined): string {
  return c === undefined ? '–' : `${c >= 0 ? '+' : '−'}${(Math.abs(c) * 100).toFixed(1)} %`;
}

/**
 * The robustness claim, read off the change table: at each rate, does each focus arm fall less than its own base and
 * every rival? A cell names the other arm that fell least; '–' until the focus arm, its base and all its rivals
 * have finished at 0 % and at that rate.
 */
function noiseVerdict(spec: ExperimentSpec, dataset: string, noisy: number[], k: string, change: (arm: string, rate: number) => number | undefined): string[] {
  const focus = focusList(spec).filter((f) => noisy.some((r) => change(f.arm, r) !== undefined));
  if (!focus.length) return [];
  const out = [`${dataset}, does the focus arm's ${k} fall less than its base's and every rival's? (its change against the least-falling other arm)`, '',
    `| arm | ${noisy.map((r) => `${ratePercent(r)} %`).join(' | ')} |`, `|---|${noisy.map(() => '---|').join('')}`];
  for (const f of focus) {
    const base = spec.arms.find((a) => a.name === f.arm)?.baseline ?? spec.baseline;
    const others = [...new Set([base, ...(f.against ?? [])])].filter((a) => a !== f.arm);
    out.push(`| ${f.arm} | ${noisy.map((rate) => {
      const own = change(f.arm, rate), theirs = others.map((a) => ({ a, c: change(a, rate) }));
      if (own === undefined || theirs.some((t) => t.c === undefined)) return '–';
      const best = theirs.reduce((x, y) => (y.c! > x.c! ? y : x));
      return `${own > best.c! ? 'yes' : 'no'}: ${fmtChange(own)} vs ${fmtChange(best.c)} (${best.a})`;
    }).join(' | ')} |`);
  }
  return [...out, ''];
}

/** The spec's runs no session has asked for yet (every `--only` / `--seeds` so far left them out), if any. */
function notRequested(m: ExperimentManifest, requested: number): string {
  const s = m.spec, planned = s.datasets.length * (s.noise?.length ?? 1) * s.arms.length * s.seeds.length;
  return planned > requested ? `; ${planned - requested} more of the spec's ${planned} runs not yet requested (--only / --seeds)` : '';
}
