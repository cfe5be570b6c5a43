import type { Store } from '../data/store/store.js';
import { getPlugin } from '../models/plugin-registry.js';
import { sha256, stableStringify } from '../util/hash.js';
import type { PlannedRun } from './plan.js';
import type { RunMetrics, TrainRunConfig } from './train-run.js';

export type RunStatus = 'running' | 'done' | 'aborted' | 'failed';

export interface ExperimentRunRow {
  out_dir: string;
  run_id: string;
  experiment: string;
  dataset: string;
  noise: number | null;
  arm: string;
  seed: number;
  run_dir: string;
  config_hash: string;
  status: RunStatus;
  test_metrics: string | null;
  valid_metrics: string | null;
  epochs: number | null;
  best_epoch: number | null;
  train_ms: number | null;
  test_ms: number | null;
  error: string | null;
  started_at: string;
  finished_at: string | null;
}

/** sha256 of the parts of a resolved config that change results (threads and workspace do not). */
export function configHash(config: TrainRunConfig): string {
  return sha256(stableStringify(comparableConfig(config)));
}

/**
 * The config without the keys that may differ between sessions of the same run without changing its results:
 * threads, evaluation chunk size, paths (a resumed run checks its data files by hash) and the settings of
 * plug-ins the run does not use (a spec that retunes LMMRec leaves its bare and RLMRec arms done). The used
 * plug-ins' settings go through their current schema, so a key added since, whose default keeps the old behaviour
 * (LMMRec's `every: 1`), leaves the runs made before it comparable; settings the schema rejects stay as they are.
 */
export function comparableConfig(config: TrainRunConfig): unknown {
  const { workspace: _w, data, train, eval: ev, text: _t, plugin, ...rest } = config;
  const { threads: _threads, ...trainRest } = train;
  const { dir: _dir, ...dataRest } = data;
  const { chunkUsers: _chunk, ...evalRest } = ev;
  const used = Object.fromEntries(Object.entries(plugin)
    .filter(([name]) => (config.plugins as readonly string[]).includes(name))
    .map(([name, settings]) => {
      const parsed = getPlugin(name).schema.safeParse(settings);
      return [name, parsed.success ? parsed.data : settings];
    }));
  return { ...rest, plugin: used, data: dataRest, train: trainRest, eval: evalRest };
}

/**
 * Upsert a run's row in `experiment_runs` (one row per experiment folder and run id, so re-runs update
 * instead of adding). Metrics are written only when the run is done.
 */
export function recordRun(
  store: Store,
  r: { outDir: string; experiment: string; run: PlannedRun & { config: TrainRunConfig }; status: RunStatus; metrics?: RunMetrics; error?: string },
): void {
  const now = new Date().toISOString();
  const m = r.metrics;
  store.db.prepare(`
    INSERT INTO experiment_runs (out_dir, run_id, experiment, dataset, noise, arm, seed, run_dir, config_hash, status,
      test_metrics, valid_metrics, epochs, best_epoch, train_ms, test_ms, error, started_at, finished_at)
    VALUES (@out_dir, @run_id, @experiment, @dataset, @noise, @arm, @seed, @run_dir, @config_hash, @status,
      @test_metrics, @valid_metrics, @epochs, @best_epoch, @train_ms, @test_ms, @error, @now, @finished_at)
    ON CONFLICT (out_dir, run_id) DO UPDATE SET
      experiment = excluded.experiment, run_dir = excluded.run_dir, config_hash = excluded.config_hash, status = excluded.status,
      test_metrics = excluded.test_metrics, valid_metrics = excluded.valid_metrics, epochs = excluded.epochs,
      best_epoch = excluded.best_epoch, train_ms = excluded.train_ms, test_ms = excluded.test_ms, error = excluded.error,
      started_at = CASE WHEN excluded.status = 'running' THEN excluded.started_at ELSE experiment_runs.started_at END,
      finished_at = excluded.finished_at
  `).run({
    out_dir: r.outDir, run_id: r.run.id, experiment: r.experiment, dataset: r.run.dataset, noise: r.run.noise, arm: r.run.arm,
    seed: r.run.seed, run_dir: r.run.runDir, config_hash: configHash(r.run.config), status: r.status,
    test_metrics: m ? JSON.stringify(m.test) : null, valid_metrics: m?.valid ? JSON.stringify(m.valid) : null,
    epochs: m?.epochs ?? null, best_epoch: m?.bestEpoch ?? null, train_ms: m?.trainMs ?? null, test_ms: m?.testMs ?? null,
    error: r.error ?? null, now, finished_at: r.status === 'running' ? null : now,
  });
}

/** Every recorded run of an experiment folder, by run id. */
export function experimentRuns(store: Store, outDir: string): ExperimentRunRow[] {
  return store.db.prepare('SELECT * FROM experiment_runs WHERE out_dir = ? ORDER BY run_id').all(outDir) as ExperimentRunRow[];
}
