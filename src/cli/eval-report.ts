import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { loadDataset } from '../data/load.js';
import { evaluate } from '../eval/full-ranking.js';
import type { EvalResult } from '../eval/full-ranking.js';
import { parseMetricKey } from '../eval/metrics.js';
import type { MetricKey } from '../eval/metrics.js';
import { readPerUserTsv, summarizeResult, writePerUserTsv } from '../eval/per-user.js';
import { compareRuns } from '../eval/significance.js';
import type { RunComparison } from '../eval/significance.js';
import { createPopularityScorer } from '../models/base/popularity.js';
import { LmmrecError } from '../util/errors.js';
import { collect } from './options.js';
import { cliSignal } from './signal.js';

/** The shared `eval` node: other command files may add verbs to it (find-or-create on the program). */
function evalCommand(program: Command): Command {
  const existing = program.commands.find((c) => c.name() === 'eval');
  if (existing) return existing;
  return program.command('eval').description('evaluation: baselines, per-user results, significance between runs');
}

/**
 * `lmmrec eval compare <a.tsv> <b.tsv>`: paired t-test and Wilcoxon signed-rank between two per-user result
 * files (as written by runs: `test-per-user.tsv.gz`; `.gz` is read transparently). `lmmrec eval popularity <dir>`: the most-popular baseline
 * under the rlmrec protocol, optionally writing per-user results to compare against.
 */
export function registerEvalReportCommand(program: Command): void {
  const ev = evalCommand(program);
  if (ev.commands.some((c) => c.name() === 'compare')) return;
  ev.command('compare')
    .description('paired t-test and Wilcoxon signed-rank between two per-user result files (same users)')
    .argument('<a>', 'per-user TSV of run A')
    .argument('<b>', 'per-user TSV of run B')
    .option('--metric <name@K>', 'metric to compare (repeatable; default recall@20 and ndcg@20)', collect, [] as string[])
    .option('--json', 'print JSON instead of a table')
    .action(async (a: string, b: string, opts: { metric: string[]; json?: boolean }) => {
      const metrics = (opts.metric.length ? opts.metric : ['recall@20', 'ndcg@20']) as MetricKey[];
      metrics.forEach((m) => parseMetricKey(m));
      const [ra, rb] = await Promise.all([readPerUserTsv(a), readPerUserTsv(b)]);
      const rows = metrics.map((m) => {
        try {
          return compareRuns(ra, rb, m);
        } catch (e) {
          throw new LmmrecError('USAGE', `cannot compare ${a} and ${b}: ${(e as Error).message}`, { cause: e });
        }
      });
      console.log(opts.json ? JSON.stringify(rows, null, 2) : formatComparisons(rows));
    });
  ev.command('popularity')
    .description('evaluate the most-popular baseline (item train degree) under the rlmrec protocol')
    .argument('<dir>', 'dataset folder (train/valid/test.tsv)')
    .option('--split <name>', 'targets: test or valid', 'test')
    .option('--out <dir>', 'write metrics.json and <split>-per-user.tsv there')
    .option('--json', 'print the summary JSON instead of a table')
    .action(async (dir: string, opts: { split: string; out?: string; json?: boolean }) => {
      if (opts.split !== 'test' && opts.split !== 'valid') throw new LmmrecError('USAGE', `--split must be test or valid, got "${opts.split}"`);
      const signal = cliSignal();
      const ds = await loadDataset(dir, { texts: false, signal });
      const res = await evaluate(createPopularityScorer(ds.train), { train: ds.train, targets: ds[opts.split], signal });
      if (opts.out) {
        await mkdir(opts.out, { recursive: true });
        await writeFile(join(opts.out, 'metrics.json'), `${JSON.stringify({ dataset: ds.name, split: opts.split, model: 'popularity', ...summarizeResult(res) }, null, 2)}\n`);
        await writePerUserTsv(join(opts.out, `${opts.split}-per-user.tsv`), res.perUser);
      }
      console.log(opts.json ? JSON.stringify(summarizeResult(res), null, 2) : formatMeans(res));
    });
}

/** `recall@5 0.0112  …` one line per metric name, K ascending across. */
export function formatMeans(r: EvalResult): string {
  const lines = [`protocol ${r.protocol.name}: ${r.numUsers} users × ${r.numItems} items`];
  for (const m of r.metrics) lines.push(r.ks.map((k) => `${`${m}@${k}`.padEnd(13)}${r.mean[`${m}@${k}`].toFixed(4)}`).join('  '));
  return lines.join('\n');
}

export function formatComparisons(rows: RunComparison[]): string {
  const head = ['metric', 'n', 'mean A', 'mean B', 'A - B', 't', 'p (t)', 'W', 'p (W)', 'W method'];
  const body = rows.map((c) => [
    c.metric, String(c.n), c.meanA.toFixed(5), c.meanB.toFixed(5), c.tTest.meanDiff.toFixed(5),
    c.tTest.t.toFixed(3), c.tTest.p.toPrecision(3), String(c.wilcoxon.statistic), c.wilcoxon.p.toPrecision(3), c.wilcoxon.method,
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  return [head, ...body].map((r) => r.map((v, i) => v.padEnd(width[i])).join('  ').trimEnd()).join('\n');
}
