import { existsSync } from 'node:fs';
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { getPlugin } from '../models/plugin-registry.js';
import { sha256File, stableStringify } from '../util/hash.js';
import { textMatrixHash } from './plugin-text.js';
import type { PlannedRun } from './plan.js';
import { CLAIM_FILE } from './run-claim.js';
import { comparableConfig } from './run-records.js';
import type { RunMetrics, TrainRunConfig } from './train-run.js';

/** Written into a run directory that was copied from another experiment's finished run. */
export const REUSED_FILE = 'reused.json';

export interface ReusedFrom {
  /** The run directory the results were copied from. */
  from: string;
  at: string;
}

interface Candidate {
  dir: string;
  config: TrainRunConfig;
  dataFiles: Record<string, string>;
  textHashes?: Record<string, string>;
}

/**
 * Finds finished runs in other experiment folders that are the same run as a planned one, so a spec that
 * repeats another's arms (paper-table's LightGCN rows on Amazon-book are the ablation's) does not train
 * them again. The same run means: equal comparable config (run-records.ts: the same keys that make a
 * started run resumable), byte-identical data files, and identical text matrices for the inputs its
 * plug-ins read (the matrix each input names; file headers carry a creation time). A source run
 * whose text cannot be checked (manifest without text hashes and its text file gone) is not used.
 */
export function createReuseIndex(sourceDirs: readonly string[]): {
  find(run: PlannedRun & { config: TrainRunConfig }): Promise<string | undefined>;
} {
  let candidates: Promise<Candidate[]> | undefined;
  const hashes = new Map<string, Promise<string | undefined>>();
  const cached = (key: string, path: string, hash: () => Promise<string | undefined>): Promise<string | undefined> => {
    if (!hashes.has(key)) hashes.set(key, existsSync(path) ? hash() : Promise.resolve(undefined));
    return hashes.get(key)!;
  };
  const hashOf: Hashes = {
    file: (path) => cached(resolve(path), path, () => sha256File(path)),
    text: (path, matrix) => cached(`${resolve(path)}#${matrix}`, path, () => textMatrixHash(path, matrix)),
  };
  return {
    async find(run) {
      candidates ??= readCandidates(sourceDirs);
      const want = stableStringify(comparableConfig(run.config));
      for (const c of await candidates) {
        if (resolve(c.dir) === resolve(run.runDir) || stableStringify(comparableConfig(c.config)) !== want) continue;
        if (!(await sameData(c, run.config, hashOf)) || !(await sameText(c, run.config, hashOf))) continue;
        return c.dir;
      }
      return undefined;
    },
  };
}

interface Hashes {
  file(path: string): Promise<string | undefined>;
  text(path: string, matrix: 'S' | 'M'): Promise<string | undefined>;
}

async function sameData(c: Candidate, config: TrainRunConfig, hashOf: Hashes): Promise<boolean> {
  const files = Object.entries(c.dataFiles);
  if (files.length === 0 || !config.data.dir) return false;
  for (const [f, h] of files) if ((await hashOf.file(join(config.data.dir, f))) !== h) return false;
  return true;
}

/** The text inputs the run's plug-ins read are the same matrices (inputs no plug-in reads may differ). */
async function sameText(c: Candidate, config: TrainRunConfig, hashOf: Hashes): Promise<boolean> {
  for (const which of new Set(config.plugins.flatMap((p) => getPlugin(p).reads))) {
    const mine = config.text[which], theirs = c.config.text[which];
    if (!mine && !theirs) continue;
    if (!mine || !theirs || mine.matrix !== theirs.matrix) return false;
    const h = c.textHashes?.[`text.${which}`] ?? (await hashOf.text(theirs.file, theirs.matrix));
    if (h === undefined || h !== (await hashOf.text(mine.file, mine.matrix))) return false;
  }
  return true;
}

/** Every finished run (config, manifest and metrics present, not itself failed) under `<dir>/runs/`. */
async function readCandidates(sourceDirs: readonly string[]): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (const source of sourceDirs) {
    const runs = join(source, 'runs');
    if (!existsSync(runs)) continue;
    for (const name of (await readdir(runs)).sort()) {
      const dir = join(runs, name);
      if (!['config.json', 'manifest.json', 'metrics.json'].every((f) => existsSync(join(dir, f)))) continue;
      const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as TrainRunConfig;
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { dataset?: { files?: Record<string, string> }; text?: Record<string, string> };
      out.push({ dir, config, dataFiles: manifest.dataset?.files ?? {}, textHashes: manifest.text });
    }
  }
  return out;
}

/**
 * Copy a finished run into a planned run's directory: every file of the source (per-user test metrics, log,
 * checkpoints when present), the planned config (paths of this experiment; the comparable part is equal),
 * `reused.json` naming the source, and metrics.json last: it marks the run done, so an interrupted copy is
 * a run that is not started yet or one that starts over. Returns the copied metrics.
 */
export async function adoptRun(source: string, run: PlannedRun & { config: TrainRunConfig }): Promise<RunMetrics> {
  const skip = new Set([join(source, CLAIM_FILE), join(source, 'metrics.json')]);
  await cp(source, run.runDir, { recursive: true, filter: (src) => !skip.has(src) });
  await writeFile(join(run.runDir, 'config.json'), `${JSON.stringify(run.config, null, 2)}\n`);
  const reused: ReusedFrom = { from: resolve(source), at: new Date().toISOString() };
  await writeFile(join(run.runDir, REUSED_FILE), `${JSON.stringify(reused, null, 2)}\n`);
  const metrics = await readFile(join(source, 'metrics.json'), 'utf8');
  await writeFile(join(run.runDir, 'metrics.json'), metrics);
  return JSON.parse(metrics) as RunMetrics;
}
