import type { Command } from 'commander';
import { readConfigFile } from '../config/resolve.js';
import { resolveTrainRunConfig, resumeTrainRun, trainRun, type RunMetrics } from '../experiments/train-run.js';
import { PLUGIN_NAMES } from '../models/plugin-registry.js';
import { MODEL_NAMES } from '../models/registry.js';
import { LmmrecError } from '../util/errors.js';
import { collect } from './options.js';
import { cliSignal } from './signal.js';
import { createTrainProgress, formatMs } from './train-progress.js';

interface TrainOpts {
  model?: string;
  data?: string;
  config?: string;
  preset?: string;
  set: string[];
  plugin: string[];
  text: string[];
  resume?: string;
  out?: string;
  json?: boolean;
  quiet?: boolean;
}

/** `lmmrec train`: resolve a run config, train to early stop, test once, write a run directory. */
export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('train a base model with early stopping on valid Recall@20, then test once; writes a run directory')
    .option('--model <name>', `model (${MODEL_NAMES.join(', ')})`)
    .option('--data <dir>', 'dataset folder (train/valid/test.tsv)')
    .option('--config <file>', 'YAML or JSON run config')
    .option('--preset <name>', 'named preset (see `lmmrec config print --help`)')
    .option('--set <key=value>', 'override one key, e.g. train.lr=1e-3 or model.layers=2 (repeatable)', collect, [] as string[])
    .option('--plugin <name>', `plug-in on top of the model (${PLUGIN_NAMES.join(', ')}); settings under plugin.<name>.* (repeatable)`, collect, [] as string[])
    .option('--text <file>', 'text matrices from `lmmrec text embed --out`: the first is text.semantic, the second (default: the first) text.motivation (repeatable)', collect, [] as string[])
    .option('--resume <runDir>', 'continue a killed run from its last checkpoint (same config and data)')
    .option('--out <dir>', 'parent folder for the run directory (default <workspace>/runs)')
    .option('--json', 'print metrics.json to stdout instead of a table')
    .option('--quiet', 'no progress output on stderr')
    .action(async (opts: TrainOpts) => {
      const signal = cliSignal();
      let result;
      if (opts.resume) {
        if (opts.model || opts.data || opts.config || opts.preset || opts.set.length || opts.plugin.length || opts.text.length || opts.out) {
          throw new LmmrecError('USAGE', '--resume takes no other options: the run directory fixes config and data');
        }
        const progress = createTrainProgress('recall@20', opts.quiet);
        try {
          result = await resumeTrainRun(opts.resume, { onProgress: progress.onProgress, signal });
        } finally {
          progress.stop();
        }
      } else {
        if (!opts.model && !opts.config) throw new LmmrecError('USAGE', `--model is required (${MODEL_NAMES.join(', ')})`);
        const set = [...(opts.model ? [`model.name=${opts.model}`] : []), ...(opts.data ? [`data.dir=${JSON.stringify(opts.data)}`] : []), ...pluginSets(opts), ...opts.set];
        const config = resolveTrainRunConfig({ preset: opts.preset, file: opts.config ? await readConfigFile(opts.config) : undefined, set });
        const progress = createTrainProgress(config.train.earlyStop.metric, opts.quiet);
        try {
          result = await trainRun({ config, outDir: opts.out, onProgress: progress.onProgress, signal });
        } finally {
          progress.stop();
        }
      }
      console.log(opts.json ? JSON.stringify(result.metrics, null, 2) : formatRun(result.runDir, result.metrics));
    });
}

/** --plugin / --text as --set entries (so --set still overrides them). */
function pluginSets(opts: Pick<TrainOpts, 'plugin' | 'text'>): string[] {
  if (opts.text.length > 2) throw new LmmrecError('USAGE', '--text takes at most two files: semantic, then motivation');
  const [semantic, motivation = semantic] = opts.text;
  return [
    ...(opts.plugin.length > 0 ? [`plugins=${JSON.stringify(opts.plugin)}`] : []),
    ...(semantic ? [`text.semantic.file=${JSON.stringify(semantic)}`, `text.motivation.file=${JSON.stringify(motivation)}`] : []),
  ];
}

export function formatRun(runDir: string, m: RunMetrics): string {
  const keys = Object.keys(m.test).filter((k) => /^(recall|ndcg)@/.test(k));
  const head = keys.map((k) => k.padStart(10)).join('');
  const row = (label: string, v: Record<string, number> | null): string =>
    `${label.padEnd(6)}${keys.map((k) => (v?.[k] === undefined ? '-' : v[k].toFixed(4)).padStart(10)).join('')}`;
  return [
    `run      ${runDir}`,
    `model    ${[m.model, ...(m.plugins ?? [])].join('+')} on ${m.dataset}, seed ${m.seed}, protocol ${m.protocol}`,
    `epochs   ${m.epochs} (${m.stopped}), best epoch ${m.bestEpoch ?? '-'}, ${(m.meanEpochMs / 1000).toFixed(2)} s/epoch, ` +
      `train ${formatMs(m.trainMs)}, test pass ${(m.testMs / 1000).toFixed(2)} s`,
    `      ${head}`,
    row('valid', m.valid),
    row('test', m.test),
  ].join('\n');
}
