import { Option, type Command } from 'commander';
import { loadDataset } from '../data/load.js';
import { probeText, type TextProbe } from '../eval/text-probe.js';
import { createRunKernels } from '../experiments/kernels.js';
import { readTextMatrices } from '../text/encoders/embed.js';
import { positiveInt } from './options.js';
import { cliSignal } from './signal.js';

interface ProbeFlags {
  data: string;
  text: string;
  matrix: 'S' | 'M';
  split: 'valid' | 'test';
  threads: number;
  json?: boolean;
}

/** `lmmrec text probe --data <dir> --text <file>`: training-free text scorers next to popularity. */
export function addTextProbeCommand(text: Command): void {
  text
    .command('probe')
    .description('how much interaction signal a text matrix carries: text item-kNN and user·item text scores next to popularity, full ranking')
    .requiredOption('--data <dir>', 'dataset folder the matrices were embedded for')
    .requiredOption('--text <file>', 'matrices file written by `lmmrec text embed --out`')
    .addOption(new Option('--matrix <name>', 'S (semantic prior) or M (motivations)').choices(['S', 'M']).default('S'))
    .addOption(new Option('--split <name>', 'targets').choices(['valid', 'test']).default('test'))
    .option('--threads <n>', 'kernel threads', positiveInt('--threads'), 2)
    .option('--json', 'print JSON')
    .action(async (flags: ProbeFlags) => {
      const signal = cliSignal();
      const [ds, matrices] = await Promise.all([loadDataset(flags.data, { texts: false, signal }), readTextMatrices(flags.text)]);
      const { kernels, close } = await createRunKernels(flags.threads);
      try {
        const get = (side: 'users' | 'items') => matrices.get(flags.matrix, side);
        const where = `${flags.text} (matrix ${flags.matrix}, source ${matrices.meta.source})`;
        const probe = await probeText({ ds, where, dim: matrices.meta.dim, items: get('items'), users: get('users'), split: flags.split, kernels, signal });
        console.log(flags.json ? JSON.stringify(probeJson(probe), null, 2) : formatProbe(probe, `${flags.text} ${flags.matrix}, ${flags.split}`));
      } finally {
        await close();
      }
    });
}

function probeJson(p: TextProbe): unknown {
  return { coverage: p.coverage, rows: p.rows.map((r) => ({ scorer: r.scorer, users: r.result.numUsers, mean: r.result.mean })) };
}

function formatProbe(p: TextProbe, what: string): string {
  const keys = ['recall@10', 'recall@20', 'ndcg@10', 'ndcg@20'] as const;
  const c = p.coverage;
  const lines = [
    `${what}: text on ${c.users} of ${c.numUsers} users, ${c.items} of ${c.numItems} items; ${p.rows[0].result.numUsers} users evaluated, protocol ${p.rows[0].result.protocol.name}`,
    ['scorer'.padEnd(12), ...keys.map((k) => k.padStart(10))].join(''),
  ];
  for (const r of p.rows) lines.push([r.scorer.padEnd(12), ...keys.map((k) => r.result.mean[k].toFixed(4).padStart(10))].join(''));
  return lines.join('\n');
}
