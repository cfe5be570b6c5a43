import { meanSd, type RunResult } from './results.js';
import type { ExperimentSpec } from './spec.js';

/** One candidate of a selection: its validation value per dataset (mean over finished seeds). */
export interface Candidate {
  readonly arm: string;
  /** Aligned with Selection.datasets; undefined where no seed has finished. */
  readonly byDataset: readonly (number | undefined)[];
  /** Mean over Selection.used; undefined when no dataset is used. */
  readonly mean?: number;
}

export interface Selection {
  readonly name: string;
  readonly metric: string;
  /** Every dataset of the spec. */
  readonly datasets: readonly string[];
  /** The datasets on which every candidate has finished, the only ones the means average over. */
  readonly used: readonly string[];
  readonly candidates: readonly Candidate[];
  /** The candidate with the best mean (the first listed on a tie); undefined when no dataset is used. */
  readonly picked?: string;
}

/**
 * The spec's `select` choices, made on validation values only (metrics.json `valid`, the early-stopping
 * metric at the restored best epoch). Runs on noisy copies are ignored. A dataset counts only once every
 * candidate has finished on it, so a partial sweep never compares candidates on different data.
 */
export function validationPicks(spec: Pick<ExperimentSpec, 'select' | 'datasets'>, results: readonly RunResult[], metric: string): Selection[] {
  const datasets = spec.datasets.map((d) => d.id);
  return (spec.select ?? []).map(({ name, from }) => {
    const values = from.map((arm) => datasets.map((ds) => {
      const v = results
        .filter((r) => r.status === 'done' && r.run.arm === arm && r.run.dataset === ds && !r.run.noise)
        .flatMap((r) => (r.metrics?.valid?.[metric] === undefined ? [] : [r.metrics.valid[metric]]));
      return v.length ? meanSd(v).mean : undefined;
    }));
    const usedAt = datasets.flatMap((_, j) => (values.every((row) => row[j] !== undefined) ? [j] : []));
    const candidates = from.map((arm, i): Candidate => ({
      arm, byDataset: values[i],
      ...(usedAt.length > 0 && { mean: usedAt.reduce((s, j) => s + values[i][j]!, 0) / usedAt.length }),
    }));
    let picked: Candidate | undefined;
    for (const c of candidates) if (c.mean !== undefined && (picked === undefined || c.mean > picked.mean!)) picked = c;
    return { name, metric, datasets, used: usedAt.map((j) => datasets[j]), candidates, ...(picked && { picked: picked.arm }) };
  });
}
