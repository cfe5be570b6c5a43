import { LmmrecError } from '../util/errors.js';

let controller: AbortController | undefined;

/**
 * The process-wide cancellation signal for long commands: the first Ctrl-C aborts it (library work stops at
 * the next safe point and keeps what it committed), a second Ctrl-C exits at once.
 */
export function cliSignal(): AbortSignal {
  if (!controller) {
    const c = new AbortController();
    controller = c;
    process.on('SIGINT', () => {
      if (c.signal.aborted) process.exit(130);
      console.error('\nlmmrec: stopping after the current step (Ctrl-C again to exit now)');
      c.abort(new LmmrecError('ABORTED', 'interrupted by Ctrl-C'));
    });
  }
  return controller.signal;
}
