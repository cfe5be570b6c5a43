import cliProgress from 'cli-progress';
import type { TrainRunEvent } from '../experiments/train-run.js';

/**
 * Draws training progress from the library's events: on a terminal one cli-progress bar over the current
 * epoch's steps (loss, epoch time, best validation value, ETA) with validation lines printed above it;
 * otherwise (nohup, CI) one plain line per epoch and per validation, so logs stay readable.
 */
export function createTrainProgress(
  metric: string, quiet = false, stream: NodeJS.WriteStream = process.stderr,
): { onProgress: (e: TrainRunEvent) => void; stop(): void } {
  if (quiet) return { onProgress: () => {}, stop: () => {} };
  const tty = stream.isTTY === true;
  const multi = tty
    ? new cliProgress.MultiBar({
        stream,
        hideCursor: true,
        clearOnComplete: true,
        format: 'epoch {epoch} |{bar}| {value}/{total} | loss {loss} | {epochTime}/epoch | best {metric} {best} | ETA ≥ {eta}',
      }, cliProgress.Presets.shades_classic)
    : undefined;
  let bar: cliProgress.SingleBar | undefined;
  let best = '-', epochTime = '-', eta = '-';
  const line = (s: string): void => {
    if (multi) multi.log(`${s}\n`);
    else stream.write(`${s}\n`);
  };
  const onProgress = (e: TrainRunEvent): void => {
    switch (e.type) {
      case 'phase':
        line(`[${e.phase}] ${e.detail}`);
        break;
      case 'start':
        line(`${e.resumed ? 'resuming at' : 'starting'} epoch ${e.startEpoch} (max ${e.maxEpochs}, ${e.stepsPerEpoch} steps/epoch)`);
        break;
      case 'step': {
        const payload = { epoch: e.epoch, loss: formatLoss(e.loss), epochTime, metric, best, eta };
        if (!multi) break;
        if (!bar) bar = multi.create(e.steps, 0, payload);
        bar.setTotal(e.steps);
        bar.update(e.step, payload);
        break;
      }
      case 'epoch':
        epochTime = `${(e.epochMs / 1000).toFixed(2)}s`;
        eta = formatMs(e.etaMs);
        if (!multi) line(`epoch ${e.epoch}  loss ${formatLoss(e.loss)}  ${epochTime}  ETA ≥ ${eta}`);
        break;
      case 'validate':
        best = e.best.toFixed(4);
        line(`epoch ${e.epoch}  valid ${Object.entries(e.metrics).filter(([k]) => /^(recall|ndcg)@/.test(k)).map(([k, v]) => `${k} ${v.toFixed(4)}`).join('  ')}` +
          `  ${e.improved ? '(best)' : `(no gain ${e.badEvals})`}  ${(e.evalMs / 1000).toFixed(2)}s`);
        break;
      case 'stop':
        line(`stopped (${e.reason}) after epoch ${e.epoch}; best epoch ${e.bestEpoch ?? '-'}`);
        break;
      case 'checkpoint':
        break;
    }
  };
  return { onProgress, stop: () => multi?.stop() };
}

function formatLoss(loss: Record<string, number>): string {
  return Object.entries(loss).map(([k, v]) => `${k} ${v.toPrecision(4)}`).join(' ');
}

export function formatMs(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
