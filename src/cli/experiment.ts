import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { readExperimentManifest } from '../experiments/manifest.js';
import { planExperiment, type ExperimentPlan } from '../experiments/plan.js';
import { writeExperimentReport } from '../experiments/report.js';
import { aggregate, collectRuns, groupKey, metricKeys } from '../experiments/results.js';
import { createReuseIndex } from '../experiments/reuse.js';
import { runExperiment, runStates } from '../experiments/runner.js';
import { loadSpec } from '../experiments/spec.js';
import { LmmrecError } from '../util/errors.js';
import { fmtSummary } from '../experiments/report.js';
import { createExperimentProgress } from './experiment-progress.js';
import { collect, positiveInt } from './options.js';
import { defaultDataRoot, packageRoot } from './paths.js';
import { cliSignal } from './signal.js';

interface RunFlags {
  out?: string;
  dataRoot?: string;
  workspace?: string;
  seeds?: number[];
  only?: string[];
  rates?: number[];
  maxEpochs?: number;
  threads?: number;
  set: string[];
  reuse: string[];
  dryRun?: boolean;
  quiet?: boolean;
}

/** `lmmrec experiment run|report|list`: spec files → run matrix → run directories → report.md with charts. */
export function registerExperimentCommand(program: Command): void {
  const exp = program.command('experiment').description('experiment specs: arms × seeds × datasets (× noise), resumable, with a report');
  exp
    .command('run')
    .description('run every (dataset, noise, seed, arm) of a spec; finished runs are skipped, started ones resume')
    .argument('<spec>', 'spec file (YAML), or the name of a shipped spec (see `experiment list`)')
    .option('--out <dir>', 'experiment folder (default .lmmrec/experiments/<spec name>)')
    .option('--data-root <dir>', 'folder holding the datasets named in the spec (default ../shared/data when it exists; then the package data/)')
    .option('--workspace <dir>', 'workspace of the store (LLM cache, embeddings, experiment_runs; default: the experiment folder)')
    .option('--seeds <list>', 'replace the spec\'s seeds, e.g. 1,2,3', seedList)
    .option('--only <arms>', 'only these arms (comma-separated)', (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .option('--rates <list>', 'only these of the spec\'s noise rates, e.g. 0,0.1,0.2', rateList)
    .option('--max-epochs <n>', 'cap train.epochs (quick smoke runs; a different config, so use another --out)', positiveInt('--max-epochs'))
    .option('--threads <n>', 'train.threads for every run', positiveInt('--threads'))
    .option('--set <key=value>', 'override a run config key in every run, e.g. train.batchSize=2048 (repeatable)', collect, [] as string[])
    .option('--reuse <dir>', 'another experiment folder whose finished runs with the same config, data and text are copied instead of trained (repeatable)', collect, [] as string[])
    .option('--dry-run', 'print the run matrix and which runs are done; train nothing')
    .option('--quiet', 'no progress output on stderr')
    .action(async (specArg: string, flags: RunFlags, cmd: Command) => {
      const specPath = await resolveSpecPath(specArg);
      const spec = await loadSpec(specPath);
      const plan = planExperiment(spec, {
        specPath, outDir: flags.out ?? join('.lmmrec', 'experiments', spec.name),
        dataRoots: [...(flags.dataRoot ? [flags.dataRoot] : [defaultDataRoot()].filter((d): d is string => d !== undefined)), join(packageRoot(), 'data')],
        workspace: flags.workspace, seeds: flags.seeds, only: flags.only, rates: flags.rates, maxEpochs: flags.maxEpochs, threads: flags.threads, set: flags.set,
      });
      if (flags.dryRun) {
        console.log(await formatDryRun(plan, flags.reuse));
        if (plan.runs.some((r) => r.error)) process.exitCode = 3;
        return;
      }
      const progress = createExperimentProgress(flags.quiet);
      const t0 = performance.now();
      let result;
      try {
        result = await runExperiment(plan, { command: commandLine(cmd), signal: cliSignal(), onProgress: progress.onProgress, reuse: flags.reuse });
      } finally {
        progress.stop();
      }
      console.log(`${result.trained.length} runs trained, ${result.skipped.length} finished earlier${result.reused.length ? `, ${result.reused.length} reused from --reuse folders` : ''}${result.busy.length ? `, ${result.busy.length} left to another process` : ''}; ${((performance.now() - t0) / 1000).toFixed(1)} s wall`);
      console.log(await formatSummary(plan.outDir));
      console.log(`report: ${result.reportPath}`);
    });
  exp
    .command('report')
    .description('rewrite <out>/report.md and its charts from the run directories (finished or not)')
    .argument('<out>', 'experiment folder')
    .action(async (out: string, _opts: unknown, cmd: Command) => {
      const path = await writeExperimentReport(resolve(out), { command: commandLine(cmd) });
      console.log(await formatSummary(resolve(out)));
      console.log(`report: ${path}`);
    });
  exp
    .command('list')
    .description('the specs shipped in the package\'s experiments/ folder')
    .action(async () => {
      const dir = join(packageRoot(), 'experiments');
      const files = existsSync(dir) ? (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort() : [];
      for (const f of files) {
        try {
          const s = await loadSpec(join(dir, f));
          const runs = s.datasets.length * (s.noise?.length ?? 1) * s.arms.length * s.seeds.length;
          console.log(`${basename(f).padEnd(18)} ${s.name}: ${s.datasets.map((d) => d.id).join(', ')}; ${s.arms.length} arms × ${s.seeds.length} seeds` +
            `${s.noise ? ` × ${s.noise.length} noise rates` : ''} = ${runs} runs. ${s.description.split('\n')[0]}`);
        } catch (e) {
          console.log(`${basename(f).padEnd(18)} invalid: ${(e as Error).message}`);
        }
      }
    });
}

function seedList(v: string): number[] {
  const seeds = v.split(',').map((s) => Number(s.trim()));
  if (seeds.some((s) => !Number.isInteger(s))) throw new Error(`--seeds must be comma-separated integers, got "${v}"`);
  return seeds;
}

function rateList(v: string): number[] {
  const rates = v.split(',').map((s) => Number(s.trim()));
  if (rates.some((r) => !Number.isFinite(r) || r < 0 || r >= 1)) throw new Error(`--rates must be comma-separated fractions in [0, 1), got "${v}"`);
  return rates;
}

/** A path, or the name of a shipped spec (`demo` → experiments/demo.yaml of the package). */
async function resolveSpecPath(arg: string): Promise<string> {
  if (existsSync(arg)) return arg;
  const shipped = join(packageRoot(), 'experiments', `${arg.replace(/\.ya?ml$/, '')}.yaml`);
  if (existsSync(shipped)) return shipped;
  throw new LmmrecError('USAGE', `${arg}: no such spec file or shipped spec (see \`lmmrec experiment list\`)`);
}

/** The command as typed (from the root command's raw arguments, so it is right in-process too). */
function commandLine(cmd: Command): string {
  let root = cmd;
  while (root.parent) root = root.parent;
  // rawArgs is set by parse() but missing from commander's typings.
  const raw = (root as unknown as { rawArgs: string[] }).rawArgs;
  const args = raw[0] === process.argv[0] && raw[1] === process.argv[1] ? raw.slice(2) : raw;
  return ['lmmrec', ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

async function formatDryRun(plan: ExperimentPlan, reuseDirs: readonly string[]): Promise<string> {
  const states = await runStates(plan);
  // Text matrices and noisy copies are made when the spec first runs; before that such runs show as not reusable.
  const reuse = reuseDirs.length ? createReuseIndex(reuseDirs) : undefined;
  const width = Math.max(6, ...plan.runs.map((r) => r.id.length));
  const lines = [`${'run'.padEnd(width)}  state`];
  const count: Record<string, number> = {};
  for (const r of plan.runs) {
    const s = states.get(r.id)!;
    count[s.state] = (count[s.state] ?? 0) + 1;
    const from = s.state === 'pending' && r.config ? await reuse?.find({ ...r, config: r.config }) : undefined;
    const note = s.state === 'done' ? `test recall@20 ${s.metrics.test['recall@20']?.toFixed(4)}` : s.state === 'invalid' || s.state === 'stale' ? s.reason.split('\n').join(' ') : from ? `reusable: ${from}` : '';
    lines.push(`${r.id.padEnd(width)}  ${s.state.padEnd(8)} ${note}`.trimEnd());
  }
  lines.push(`${plan.runs.length} runs in ${plan.outDir}: ${Object.entries(count).map(([k, v]) => `${v} ${k}`).join(', ')}`);
  return lines.join('\n');
}

/** The arm tables of the report, compactly: recall/ndcg @ the largest K. */
async function formatSummary(outDir: string): Promise<string> {
  const m = await readExperimentManifest(outDir);
  if (!m) return '';
  const rows = aggregate(await collectRuns(m), m);
  const k = Math.max(...m.spec.ks);
  const keys = metricKeys(m).filter((x) => x.endsWith(`@${k}`));
  const lines: string[] = [];
  let group = '';
  for (const r of rows) {
    const g = groupKey(r.dataset, r.noise);
    if (g !== group) {
      group = g;
      lines.push(`${r.dataset}${r.noise === null ? '' : ` noise ${r.noise}`}: ${'arm'.padEnd(24)} ${'seeds'.padEnd(6)} ${keys.map((x) => x.padEnd(17)).join(' ')} s/epoch`);
    }
    const cells = keys.map((x) => (r.done ? fmtSummary(r.test[x]) : 'not finished').padEnd(17));
    lines.push(`${' '.repeat(r.dataset.length + (r.noise === null ? 0 : ` noise ${r.noise}`.length) + 2)}${r.arm.padEnd(24)} ${`${r.done}/${r.planned}`.padEnd(6)} ${cells.join(' ')} ${r.done ? r.secPerEpoch.mean.toFixed(3) : '-'}`);
  }
  return lines.join('\n');
}
