import type { Command } from 'commander';
import { evalCheckpoint } from '../experiments/eval-checkpoint.js';
import { LmmrecError } from '../util/errors.js';
import { positiveInt } from './options.js';
import { cliSignal } from './signal.js';

interface EvalOpts {
  checkpoint?: string;
  data?: string;
  split: 'test' | 'valid';
  ks?: string;
  threads?: number;
  json?: boolean;
}

/**
 * `lmmrec eval --checkpoint <file> --data <dir>`: full-ranking metrics of a trained checkpoint. Registered
 * on the shared `eval` node, whose verbs (`eval compare`, `eval popularity`) other files add; with no verb
 * this action runs.
 */
export function registerEvalCommand(program: Command): void {
  const ev = program.commands.find((c) => c.name() === 'eval') ?? program.command('eval').description('evaluation');
  ev.option('--checkpoint <file>', 'checkpoint written by `lmmrec train` (runs/<run>/checkpoints/best.safetensors)')
    .option('--data <dir>', 'the dataset folder the model was trained on')
    .option('--split <name>', 'test or valid', 'test')
    .option('--ks <list>', 'cut-offs, comma-separated (default 5,10,20)')
    .option('--threads <n>', 'kernel threads', positiveInt('--threads'))
    .option('--json', 'print JSON')
    .action(async (opts: EvalOpts) => {
      if (!opts.checkpoint || !opts.data) throw new LmmrecError('USAGE', 'eval needs --checkpoint <file> and --data <dir> (or a verb: see `lmmrec eval --help`)');
      if (opts.split !== 'test' && opts.split !== 'valid') throw new LmmrecError('USAGE', `--split must be test or valid, got "${opts.split}"`);
      const ks = opts.ks?.split(',').map((s) => positiveInt('--ks')(s.trim()));
      const r = await evalCheckpoint({ checkpoint: opts.checkpoint, dataDir: opts.data, split: opts.split, ks, threads: opts.threads, signal: cliSignal() });
      const mean = Object.fromEntries(Object.entries(r.result.mean).filter(([k]) => /^(recall|ndcg)@/.test(k)));
      if (opts.json) {
        console.log(JSON.stringify({ model: r.model, epoch: r.epoch, split: opts.split, protocol: r.result.protocol.name, users: r.result.numUsers, mean }, null, 2));
        return;
      }
      console.log(`${r.model}${r.epoch ? ` (epoch ${r.epoch})` : ''}: ${opts.split}, ${r.result.numUsers} users, protocol ${r.result.protocol.name}, ` +
        `${(r.result.timings.totalMs / 1000).toFixed(2)} s`);
      console.log(Object.keys(mean).map((k) => k.padStart(10)).join(''));
      console.log(Object.values(mean).map((v) => v.toFixed(4).padStart(10)).join(''));
    });
}
