import cliProgress from 'cli-progress';
import { Command, Option } from 'commander';
import { loadDataset } from '../data/load.js';
import { openStore, type Store } from '../data/store/store.js';
import { embedSource, writeTextMatrices, type EmbedSourceOptions, type EncoderSpec } from '../text/encoders/embed.js';
import type { TextMatrix } from '../text/encoders/matrices.js';
import { TEXT_SOURCES, type TextSource } from '../text/encoders/sources.js';
import { ENCODER_NAMES, type EncoderName } from '../text/encoders/types.js';
import { LmmrecError } from '../util/errors.js';
import { workspaceStorePath } from './data.js';
import { positiveInt } from './options.js';
import { cliSignal } from './signal.js';
import { addTextProbeCommand } from './text-probe.js';

interface EmbedFlags {
  data: string;
  workspace?: string;
  source: TextSource;
  encoder: EncoderName;
  model?: string;
  dim?: number;
  baseUrl?: string;
  out?: string;
  refit?: boolean;
  fitOn?: 'all' | 'items';
  seed?: number;
  batchSize?: number;
  concurrency?: number;
  maxChars?: number;
  llmProvider?: string;
  llmModel?: string;
  promptVersion?: string;
}

/** Turn the flags into an encoder spec, rejecting flags that mean nothing for the chosen encoder. */
export function encoderSpec(f: EmbedFlags, env: NodeJS.ProcessEnv = process.env): EncoderSpec {
  const usage = (m: string): LmmrecError => new LmmrecError('USAGE', m);
  if (f.encoder === 'tfidf-svd') {
    if (f.model) throw usage('--model does not apply to tfidf-svd (it is fitted on the corpus); drop it or pick --encoder openai|transformers');
    if (f.baseUrl) throw usage('--base-url applies only to --encoder openai');
    return { name: 'tfidf-svd', options: { ...(f.dim && { dim: f.dim }), ...(f.seed !== undefined && { seed: f.seed }) } };
  }
  if (!f.model) throw usage(f.encoder === 'openai' ? '--encoder openai needs --model <embedding model name>' : '--encoder transformers needs --model <local model directory>');
  if (f.encoder === 'openai') {
    return {
      name: 'openai',
      options: {
        model: f.model, baseURL: f.baseUrl, apiKey: env.OPENAI_API_KEY ?? 'no-key', dim: f.dim,
        batchSize: f.batchSize, concurrency: f.concurrency,
      },
    };
  }
  if (f.baseUrl) throw usage('--base-url applies only to --encoder openai');
  if (f.dim) throw usage('--dim does not apply to transformers (the width is the model\'s hidden size)');
  return { name: 'transformers', options: { modelDir: f.model, batchSize: f.batchSize } };
}

function describe(name: string, m: TextMatrix): string {
  const s = m.stats;
  const extra = [s.zeroVector ? `${s.zeroVector} with no known term (masked)` : '', `computed ${s.computed}, reused ${s.reused}`].filter(Boolean).join('; ');
  return `  ${name.padEnd(9)} ${m.rows} rows: ${s.withText} with text, ${s.empty} without (mask 0); ${extra}`;
}

function progressReporter(): { onProgress: EmbedSourceOptions['onProgress']; stop: () => void } {
  if (!process.stderr.isTTY) return { onProgress: undefined, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { format: '{phase} [{bar}] {value}/{total} | ETA {eta_formatted}', stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let phase = '';
  return {
    onProgress: (p) => {
      if (p.phase !== phase) {
        if (phase) bar.stop();
        phase = p.phase;
        bar.start(p.total, 0, { phase: phase.padEnd(8) });
      }
      bar.update(p.done);
    },
    stop: () => { if (phase) bar.stop(); },
  };
}

async function runEmbed(f: EmbedFlags): Promise<void> {
  if (!f.workspace && !f.out) throw new LmmrecError('USAGE', 'give --workspace (store the embeddings) and/or --out (write the matrices file)');
  const spec = encoderSpec(f);
  const signal = cliSignal();
  const ds = await loadDataset(f.data, { signal });
  const store: Store | undefined = f.workspace ? openStore(workspaceStorePath(f.workspace)) : undefined;
  const progress = progressReporter();
  try {
    const t0 = performance.now();
    const r = await embedSource({
      dataset: ds,
      source: f.source,
      encoder: spec,
      store,
      refit: f.refit,
      fitOn: f.fitOn,
      maxChars: f.maxChars,
      motivations: { provider: f.llmProvider, model: f.llmModel, promptVersion: f.promptVersion },
      signal,
      onProgress: progress.onProgress,
      onFit: (fit) => console.error(fit.reused
        ? `reusing tfidf-svd state ${fit.model} fitted ${fit.createdAt} (pass --refit to fit on the current ${fit.corpus} texts)`
        : `fitted tfidf-svd on ${fit.corpus} texts: ${fit.model}`),
    });
    progress.stop();
    if (f.out) await writeTextMatrices(f.out, r, ds.name);
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(`${ds.name} --source ${f.source}: encoder ${r.encoder.id}, model ${r.encoder.model}, dim ${r.encoder.dim} (${secs} s)`);
    for (const [name, pair] of [['S', r.S], ['M', r.M]] as const) {
      if (!pair) continue;
      console.log(describe(`${name} users`, pair.users));
      console.log(describe(`${name} items`, pair.items));
    }
    const st = Object.entries(r.sourceStats);
    if (st.length) console.log(`  source: ${st.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    if (store) console.log(`  stored in ${store.path} (text_embeddings, collection ${ds.name}/${f.source}/…)`);
    if (f.out) console.log(`  wrote ${f.out}`);
  } finally {
    progress.stop();
    store?.close();
  }
}

export function registerTextCommand(program: Command): void {
  // Inherit exitOverride / output settings, so a bad flag reaches main's error mapping instead of process.exit.
  const text = new Command('text')
    .copyInheritedSettings(program)
    .description('text encoders: turn profiles, reviews or LLM motivations into the S / M matrices');
  text
    .command('embed')
    .description('embed one text source for every user and item (masked S, and M for motivations), cached per row in the store')
    .requiredOption('--data <dir>', 'dataset folder (train/valid/test.tsv, profiles, reviews)')
    .option('--workspace <dir>', 'workspace folder: cache embeddings and fitted encoders in <dir>/lmmrec.sqlite')
    .addOption(new Option('--source <source>', 'which texts').choices([...TEXT_SOURCES]).makeOptionMandatory())
    .addOption(new Option('--encoder <name>', 'text encoder').choices([...ENCODER_NAMES]).default('tfidf-svd'))
    .option('--model <m>', 'openai: embedding model name; transformers: local model directory')
    .option('--dim <n>', 'tfidf-svd: output width (default 256); openai: `dimensions` to request', positiveInt('--dim'))
    .option('--base-url <url>', 'openai: server base URL, e.g. http://localhost:11434/v1 (key from OPENAI_API_KEY)')
    .option('--out <file>', 'also write the matrices and masks to this array file')
    .option('--refit', 'tfidf-svd: fit again instead of reusing the state saved for this dataset and source')
    .addOption(new Option('--fit-on <which>', 'tfidf-svd: fit on all texts or on the item texts only (users are embedded by the same map)').choices(['all', 'items']).default('all'))
    .option('--seed <n>', 'tfidf-svd: seed of the randomized SVD', (v) => Number.parseInt(v, 10))
    .option('--batch-size <n>', 'texts per request (openai) or forward pass (transformers)', positiveInt('--batch-size'))
    .option('--concurrency <n>', 'openai: requests in flight', positiveInt('--concurrency'))
    .option('--max-chars <n>', 'reviews: cap on one entity\'s concatenated reviews (default 20000)', positiveInt('--max-chars'))
    .option('--llm-provider <p>', 'motivations: provider of the extraction run (needed only if the store holds several)')
    .option('--llm-model <m>', 'motivations: model of the extraction run (needed only if the store holds several)')
    .option('--prompt-version <v>', 'motivations: prompt version (default: latest per entity)')
    .action(async (flags: EmbedFlags) => runEmbed(flags));
  addTextProbeCommand(text);
  program.addCommand(text);
}
