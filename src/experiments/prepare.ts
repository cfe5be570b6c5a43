import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Dataset } from '../data/dataset.js';
import { loadDataset } from '../data/load.js';
import { writeNoisyCopy } from '../data/noise.js';
import type { Store } from '../data/store/store.js';
import { embedSource, writeTextMatrices } from '../text/encoders/embed.js';
import { createRulesProvider } from '../text/llm/providers/rules.js';
import { extractMotivations } from '../text/llm/runner.js';
import { LmmrecError } from '../util/errors.js';
import { sha256File } from '../util/hash.js';
import { noisyCopyDir, preparedTextPath, type ExperimentPlan } from './plan.js';
import type { PrepareStep } from './spec.js';

export interface PrepareEvent {
  type: 'prepare';
  dataset: string;
  step: string;
  /** True when the output already existed and nothing was computed. */
  cached: boolean;
  detail: string;
}

/** What the report states about a dataset: where it was read from and the hashes of its splits. */
export interface DatasetInfo {
  id: string;
  dir: string;
  users: number;
  items: number;
  /** sha256 of train/valid/test.tsv. */
  hashes: Record<string, string>;
  /** Noisy copies by rate (percent string): folder and train.tsv hash. */
  noisy: Record<string, { dir: string; trainSha256: string }>;
  /** Prepared text files by text-embed name: file and sha256. */
  text: Record<string, { file: string; sha256: string }>;
}

export interface PrepareOptions {
  store: Store;
  signal?: AbortSignal;
  onProgress?: (e: PrepareEvent) => void;
}

/**
 * Run every dataset's prepare steps (LLM extraction, text embedding) and write the noisy copies the plan
 * needs. Every output is cached: extraction and embeddings through the store, files by their presence (they
 * are written under a temporary name and renamed, so a present file is complete), so a re-run costs a load.
 */
export async function prepareExperiment(plan: ExperimentPlan, opts: PrepareOptions): Promise<DatasetInfo[]> {
  const infos: DatasetInfo[] = [];
  const planned = new Set(plan.runs.map((r) => r.dataset));
  for (const spec of plan.spec.datasets) {
    if (!planned.has(spec.id)) continue;
    const dir = plan.dataDirs[spec.id];
    const ds = await loadDataset(dir, { signal: opts.signal });
    const info: DatasetInfo = { id: spec.id, dir, users: ds.numUsers, items: ds.numItems, hashes: await splitHashes(dir), noisy: {}, text: {} };
    const extractProvider = spec.prepare.find((p) => p.step === 'llm-extract')?.provider;
    for (const step of spec.prepare) {
      opts.signal?.throwIfAborted();
      if (step.step === 'llm-extract') await extract(ds, spec.id, step, opts);
      else info.text[step.name] = await embed(ds, spec.id, plan.outDir, step, step.llmProvider ?? extractProvider, opts);
    }
    const rates = new Set(plan.runs.filter((r) => r.dataset === spec.id && r.noise).map((r) => r.noise!));
    for (const rate of [...rates].sort((a, b) => a - b)) {
      const out = noisyCopyDir(plan.outDir, spec.id, rate);
      const cached = existsSync(join(out, 'manifest.json'));
      if (!cached) await writeNoisyCopy(ds, rate, plan.spec.noiseSeed, out);
      const trainSha256 = await sha256File(join(out, 'train.tsv'));
      info.noisy[String(rate)] = { dir: out, trainSha256 };
      opts.onProgress?.({ type: 'prepare', dataset: spec.id, step: `noise ${rate}`, cached, detail: out });
    }
    infos.push(info);
  }
  return infos;
}

async function extract(ds: Dataset, id: string, step: Extract<PrepareStep, { step: 'llm-extract' }>, opts: PrepareOptions): Promise<void> {
  const t0 = performance.now();
  const report = await extractMotivations({
    store: opts.store, dataset: ds, provider: createRulesProvider(), kind: step.kind, promptVersion: step.promptVersion, signal: opts.signal,
  });
  const failed = report.phases.reduce((s, p) => s + p.coverage.failed, 0);
  if (failed > 0) throw new LmmrecError('LLM', `dataset "${id}": llm-extract left ${failed} entities failed (see llm_outputs in ${opts.store.path})`);
  const cached = report.requests === 0 && report.phases.every((p) => p.cacheHits >= p.prompts);
  const detail = report.phases.map((p) => `${p.kind}s ${p.prompts} prompts, ${p.cacheHits} cached`).join('; ');
  opts.onProgress?.({ type: 'prepare', dataset: id, step: `llm-extract ${step.provider}`, cached, detail: `${detail} (${((performance.now() - t0) / 1000).toFixed(1)} s)` });
}

async function embed(
  ds: Dataset, id: string, outDir: string, step: Extract<PrepareStep, { step: 'text-embed' }>, llmProvider: string | undefined, opts: PrepareOptions,
): Promise<{ file: string; sha256: string }> {
  const file = preparedTextPath(outDir, id, step);
  const cached = existsSync(file);
  if (!cached) {
    const t0 = performance.now();
    const r = await embedSource({
      dataset: ds, source: step.source, store: opts.store, signal: opts.signal, fitOn: step.fitOn,
      encoder: { name: 'tfidf-svd', options: { ...(step.dim && { dim: step.dim }), ...(step.seed !== undefined && { seed: step.seed }) } },
      ...(step.source === 'motivations' && llmProvider && { motivations: { provider: llmProvider } }),
    });
    await mkdir(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeTextMatrices(tmp, r, ds.name);
    await rename(tmp, file);
    opts.onProgress?.({
      type: 'prepare', dataset: id, step: `text-embed ${step.name}`, cached,
      detail: `--source ${step.source}: ${r.encoder.model}, dim ${r.encoder.dim}, matrices ${r.M ? 'S, M' : 'S'} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    });
  } else {
    opts.onProgress?.({ type: 'prepare', dataset: id, step: `text-embed ${step.name}`, cached, detail: file });
  }
  return { file, sha256: await sha256File(file) };
}

async function splitHashes(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of ['train.tsv', 'valid.tsv', 'test.tsv']) out[f] = await sha256File(join(dir, f));
  return out;
}
