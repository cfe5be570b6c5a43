import { meanSd, type RunResult } from './results.js';
import type { ExperimentSpec } from './spec.js';

/** One candidate of a selection: its validation value per dataset (mean over finished seeds). */
export interface Candidate {
  readonly arm: string;
  /** Aligned with Selection.datasets; undefined where no seed has finished. */
  readonly byDataset: readonly (number | undefined)[];
  /** Mean over Selection.used; undefined when no dataset is used or the candidate was not run on one of them. */
  readonly mean?: number;
}

export interface Selection {
  readonly name: string;
  readonly metric: string;
  /** Every dataset of the spec. */
  readonly datasets: readonly string[];
  /** The datasets on which every candidate run there has finished, the only ones the means average over. */
  readonly used: readonly string[];
  readonly candidates: readonly Candidate[];
  /** The candidate with the best mean (the first listed on a tie); undefined when no dataset is used. */
  readonly picked?: string;
}

/**
 * The spec's `select` choices, made on validation values only (metrics.json `valid`, the early-stopping
 * metric at the restored best epoch). Runs on noisy copies are ignored. A dataset counts once every candidate
 * run on it has finished, so a sweep still in progress never compares candidates on different data; a candidate
 * that was never run on a counted dataset (a weight pruned there, left out of `--only`) is not eligible.
 */
export function validationPicks(spec: Pick<ExperimentSpec, 'select' | 'datasets'>, results: readonly RunResult[], metric: string): Selection[] {
  const datasets = spec.datasets.map((d) => d.id);
  const clean = results.filter((r) => !r.run.noise);
  return (spec.select ?? []).map(({ name, from }) => {
    const runs = (arm: string, ds: string) => clean.filter((r) => r.run.arm === arm && r.run.dataset === ds);
    const values = from.map((arm) => datasets.map((ds) => {
      const v = runs(arm, ds).flatMap((r) => (r.status === 'done' && r.metrics?.valid?.[metric] !== undefined ? [r.metrics.valid[metric]] : []));
      return v.length ? meanSd(v).mean : undefined;
    }));
    const usedAt = datasets.flatMap((ds, j) => {
      const ran = from.filter((arm) => runs(arm, ds).length > 0);
      return ran.length > 0 && ran.every((arm) => runs(arm, ds).every((r) => r.status === 'done')) ? [j] : [];
    });
    const candidates = from.map((arm, i): Candidate => {
      const eligible = usedAt.length > 0 && usedAt.every((j) => values[i][j] !== undefined);
      return { arm, byDataset: values[i], ...(eligible && { mean: usedAt.reduce((s, j) => s + values[i][j]!, 0) / usedAt.length }) };
    });
    let picked: Candidate | undefined;
    for (const c of candidates) if (c.mean !== undefined && (picked === undefined || c.mean > picked.mean!)) picked = c;
    return { name, metric, datasets, used: usedAt.map((j) => datasets[j]), candidates, ...(picked && { picked: picked.arm }) };
  });
}
