import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { lmmrecVersion } from '../data/preprocess/manifest.js';
import { LmmrecError } from '../util/errors.js';
import { writeFileAtomic } from '../util/write-atomic.js';
import type { ExperimentPlan, PlannedRun } from './plan.js';
import type { DatasetInfo } from './prepare.js';
import type { ExperimentSpec } from './spec.js';

export interface MachineInfo {
  cores: number;
  cpu: string;
  memGb: number;
  /** 1, 5 and 15 minute load averages when recorded. */
  loadavg: number[];
  node: string;
}

/** A run the experiment folder knows of (the union over every `experiment run` into it). */
export type ManifestRun = Pick<PlannedRun, 'id' | 'dataset' | 'noise' | 'arm' | 'seed' | 'baseline' | 'runDir'>;

/** `<out>/experiment.json`: what `experiment report` needs besides the run directories. */
export interface ExperimentManifest {
  format: 'lmmrec-experiment/1';
  name: string;
  specPath: string;
  spec: ExperimentSpec;
  lmmrecVersion: string;
  /** Every `experiment run` command into this folder, with its time and machine. */
  sessions: { command: string; at: string; machine: MachineInfo }[];
  datasets: DatasetInfo[];
  runs: ManifestRun[];
}

export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    cores: c.length, cpu: c[0]?.model.trim() ?? 'unknown', memGb: Math.round(totalmem() / 2 ** 30 * 10) / 10,
    loadavg: loadavg().map((l) => Math.round(l * 100) / 100), node: process.version,
  };
}

export async function readExperimentManifest(outDir: string): Promise<ExperimentManifest | undefined> {
  const path = join(outDir, 'experiment.json');
  if (!existsSync(path)) return undefined;
  const m = JSON.parse(await readFile(path, 'utf8')) as ExperimentManifest;
  if (m.format !== 'lmmrec-experiment/1') throw new LmmrecError('DATA', `${path}: not an experiment manifest (format ${String(m.format)})`);
  return m;
}

/**
 * Write experiment.json for a plan, keeping the runs of earlier sessions (another `--only` or `--seeds`) so
 * the report covers everything in the folder. A folder belongs to one experiment name.
 */
export async function writeExperimentManifest(
  plan: ExperimentPlan, datasets: DatasetInfo[], command: string, previous: ExperimentManifest | undefined,
): Promise<ExperimentManifest> {
  if (previous && previous.name !== plan.spec.name) {
    throw new LmmrecError('USAGE', `${plan.outDir} holds experiment "${previous.name}", not "${plan.spec.name}"; choose another --out`);
  }
  const runs = new Map((previous?.runs ?? []).map((r) => [r.id, r]));
  for (const r of plan.runs) runs.set(r.id, { id: r.id, dataset: r.dataset, noise: r.noise, arm: r.arm, seed: r.seed, baseline: r.baseline, runDir: r.runDir });
  const ds = new Map((previous?.datasets ?? []).map((d) => [d.id, d]));
  for (const d of datasets) ds.set(d.id, d);
  const manifest: ExperimentManifest = {
    format: 'lmmrec-experiment/1',
    name: plan.spec.name,
    specPath: plan.specPath,
    spec: plan.spec,
    lmmrecVersion: lmmrecVersion(),
    sessions: [...(previous?.sessions ?? []), { command, at: new Date().toISOString(), machine: machineInfo() }],
    datasets: [...ds.values()],
    runs: orderRuns([...runs.values()], plan.spec),
  };
  await mkdir(plan.outDir, { recursive: true });
  const path = join(plan.outDir, 'experiment.json');
  await writeFileAtomic(path, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Spec order: dataset, noise, seed, arm. */
function orderRuns(runs: ManifestRun[], spec: ExperimentSpec): ManifestRun[] {
  const di = (r: ManifestRun) => spec.datasets.findIndex((d) => d.id === r.dataset);
  const ai = (r: ManifestRun) => spec.arms.findIndex((a) => a.name === r.arm);
  return runs.sort((a, b) => di(a) - di(b) || (a.noise ?? 0) - (b.noise ?? 0) || a.seed - b.seed || ai(a) - ai(b));
}
