import cliProgress from 'cli-progress';
import type { ExperimentEvent } from '../experiments/runner.js';
import { formatMs } from './train-progress.js';

/**
 * Experiment progress from the runner's events: on a terminal one bar over the whole spec (runs done, the
 * current run and epoch, its best validation value, ETA for the rest of the spec) with run and validation
 * lines printed above it; otherwise plain lines per run and per validation.
 */
export function createExperimentProgress(quiet = false, stream: NodeJS.WriteStream = process.stderr): { onProgress: (e: ExperimentEvent) => void; stop(): void } {
  if (quiet) return { onProgress: () => {}, stop: () => {} };
  const bar = stream.isTTY === true
    ? new cliProgress.SingleBar({
        stream, hideCursor: true, clearOnComplete: true,
        format: 'spec |{bar}| {value}/{total} runs | {run} epoch {epoch} | best {best} | ETA {specEta}',
      }, cliProgress.Presets.shades_classic)
    : undefined;
  let started = false;
  let payload = { run: '-', epoch: '-', best: '-', specEta: '?' };
  const line = (s: string): void => {
    if (bar && started) {
      // SingleBar has no log(): clear the bar line, print, redraw.
      stream.write(`\r\x1b[2K${s}\n`);
      bar.render();
    } else stream.write(`${s}\n`);
  };
  const eta = (ms: number | undefined): string => (ms === undefined ? '?' : formatMs(ms));
  const onProgress = (e: ExperimentEvent): void => {
    switch (e.type) {
      case 'prepare':
        line(`[prepare] ${e.dataset} ${e.step}${e.cached ? ' (cached)' : ''}: ${e.detail}`);
        break;
      case 'run-skip':
        line(`[${e.index + 1}/${e.total}] ${e.run.id}: finished earlier, test recall@20 ${e.metrics.test['recall@20']?.toFixed(4) ?? '-'}`);
        break;
      case 'run-reuse':
        line(`[${e.index + 1}/${e.total}] ${e.run.id}: reused the identical finished run ${e.from}, test recall@20 ${e.metrics.test['recall@20']?.toFixed(4) ?? '-'}`);
        break;
      case 'run-start':
        if (bar && !started) {
          bar.start(e.total, e.index, payload);
          started = true;
        }
        payload = { run: e.run.id, epoch: '-', best: '-', specEta: eta(e.etaMs) };
        bar?.update(e.index, payload);
        line(`[${e.index + 1}/${e.total}] ${e.run.id}: ${e.resume ? 'resuming from its last checkpoint' : 'starting'} (spec ETA ${eta(e.etaMs)})`);
        break;
      case 'run-event': {
        const ev = e.event;
        if (ev.type === 'epoch') payload = { ...payload, epoch: String(ev.epoch), specEta: eta(e.etaMs) };
        else if (ev.type === 'validate') {
          payload = { ...payload, best: ev.best.toFixed(4) };
          if (!bar) line(`  ${e.run.id} epoch ${ev.epoch}: valid recall@20 ${ev.metrics['recall@20']?.toFixed(4) ?? '-'} (best ${ev.best.toFixed(4)} @ ${ev.bestEpoch})`);
        } else if (ev.type === 'phase' && ev.detail.startsWith('warning')) line(`  ${ev.detail}`);
        bar?.update(e.index, payload);
        break;
      }
      case 'run-end':
        bar?.update(e.index + 1, { ...payload, specEta: eta(e.etaMs) });
        line(`[${e.index + 1}/${e.total}] ${e.run.id}: ${e.metrics.epochs} epochs (${e.metrics.stopped}), test recall@20 ${e.metrics.test['recall@20']?.toFixed(4)} ` +
          `ndcg@20 ${e.metrics.test['ndcg@20']?.toFixed(4)} in ${formatMs(e.wallMs)}; spec ETA ${eta(e.etaMs)}`);
        break;
      case 'run-fail':
        bar?.update(e.index + 1, payload);
        line(`[${e.index + 1}/${e.total}] ${e.run.id}: FAILED: ${e.error.split('\n')[0]} (continuing with the next run)`);
        break;
      case 'run-busy':
        line(`[${e.index + 1}/${e.total}] ${e.run.id}: another process is training it; left to that process`);
        break;
      case 'report':
        break;
    }
  };
  return { onProgress, stop: () => { if (started) bar?.stop(); } };
}
