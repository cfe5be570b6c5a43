import { Command, InvalidArgumentError } from 'commander';
import { ConfigError } from '../util/errors.js';
import { loadDataset } from '../data/load.js';
import { writeNoisyCopy } from '../data/noise.js';
import { parseSplitSpec } from '../data/preprocess/split.js';
import { prepareSplit, type PrepOptions } from '../data/preprocess/pipeline.js';
import type { StepRecord } from '../data/preprocess/records.js';
import { writeSplit } from '../data/preprocess/write.js';
import { readRawInteractions, type ColumnMapping, type RawInteractions } from '../data/readers/raw.js';
import { readRecboleInter } from '../data/readers/recbole.js';

const FORMATS = ['tsv-reviews', 'recbole', 'csv', 'jsonl'] as const;
type Format = (typeof FORMATS)[number];
const SLOTS = ['user', 'item', 'rating', 'time', 'text'] as const;
type Slot = (typeof SLOTS)[number];

/** The layout of lmmrec's own reviews.jsonl(.gz), the default mapping for `--format jsonl`. */
const JSONL_DEFAULT_MAP: ColumnMapping = { user: 'user_raw', item: 'item_raw', rating: 'rating', time: 'time', text: 'text' };

/** `user=col,item=col,...` → slot → column name. Unknown slots and repeated slots are usage errors. */
export function parseColumnMap(text: string): Partial<Record<Slot, string>> {
  const out: Partial<Record<Slot, string>> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const slot = part.slice(0, eq).trim() as Slot;
    const col = part.slice(eq + 1).trim();
    if (eq < 0 || !SLOTS.includes(slot) || col === '') throw new InvalidArgumentError(`expected slot=column pairs with slots ${SLOTS.join(', ')}; got "${part}"`);
    if (out[slot] !== undefined) throw new InvalidArgumentError(`"${slot}" is mapped twice`);
    out[slot] = col;
  }
  return out;
}

/** `5` (users and items) or `5,10` (users, items). */
export function parseKcore(text: string): { user: number; item: number } {
  const ks = text.split(',').map((s) => Number(s.trim()));
  if ((ks.length !== 1 && ks.length !== 2) || !ks.every((k) => Number.isInteger(k) && k >= 0)) {
    throw new InvalidArgumentError(`expected K or USER_K,ITEM_K (non-negative integers), got "${text}"`);
  }
  return { user: ks[0], item: ks[ks.length - 1] };
}

function parseNumber(name: string, integer: boolean): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new InvalidArgumentError(`${name} must be ${integer ? 'an integer' : 'a number'}, got "${v}"`);
    return n;
  };
}

/** Read raw interactions in one of the `data split` input formats. */
export async function readRawInput(path: string, format: Format, map: Partial<Record<Slot, string>> | undefined): Promise<RawInteractions> {
  if (format === 'recbole') return readRecboleInter(path, map ?? {});
  const mapping = map ?? (format === 'jsonl' ? JSONL_DEFAULT_MAP : undefined);
  if (!mapping?.user || !mapping.item) throw new ConfigError(`--format ${format} needs --map with at least user=COLUMN,item=COLUMN`);
  const m = mapping as ColumnMapping;
  if (format === 'tsv-reviews') return readRawInteractions(path, m, { format: 'csv', delimiter: '\t' });
  return readRawInteractions(path, m, { format });
}

function describeStep(s: StepRecord): string {
  const n = (a: number, b: number): string => (a === b ? `${a}` : `${a} → ${b}`);
  const extra = s.details ? `  (${Object.entries(s.details).map(([k, v]) => `${k} ${v}`).join(', ')})` : '';
  return `${s.name.padEnd(14)} interactions ${n(s.in.interactions, s.out.interactions)}, users ${n(s.in.users, s.out.users)}, items ${n(s.in.items, s.out.items)}${extra}`;
}

/** Adds `data split` and `data noise` to the `data` command. */
export function registerDataPrepCommands(data: Command): void {
  data
    .command('split')
    .description('filter, k-core, densify and split raw interactions into a dataset folder (train/valid/test.tsv, maps, manifest)')
    .argument('<input>', 'raw interactions file')
    .requiredOption('--out <dir>', 'output dataset folder (written atomically)')
    .requiredOption('--format <format>', `input format: ${FORMATS.join(' | ')} (tsv-reviews = tab-separated with a header row)`, (v: string) => {
      if (!(FORMATS as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${FORMATS.join(', ')}`);
      return v as Format;
    })
    .option('--map <mapping>', 'columns/fields: user=COL,item=COL[,rating=COL,time=COL,text=COL]; jsonl default user=user_raw,item=item_raw,rating=rating,time=time,text=text; recbole default user_id/item_id/rating/timestamp', parseColumnMap)
    .option('--min-rating <t>', 'keep ratings >= t', parseNumber('--min-rating', false))
    .option('--dedup <keep>', 'repeated (user,item): earliest | first (default: earliest when there is a time column)')
    .option('--kcore <k>', 'iterative k-core: K, or USER_K,ITEM_K', parseKcore)
    .option('--split <spec>', 'ratio:0.6,0.2,0.2 | temporal:0.8,0.1,0.1 | global-temporal:0.8,0.1,0.1 | loo (ratios are weights: ratio:3,1,1 = 0.6,0.2,0.2)', 'ratio:0.6,0.2,0.2')
    .option('--id-order <order>', 'dense ids by first-seen | sorted raw id', 'first-seen')
    .option('--seed <n>', 'seed of the random split', parseNumber('--seed', true), 2023)
    .option('--overwrite', 'replace an existing non-empty output folder')
    .action(async (input: string, o: { out: string; format: Format; map?: Partial<Record<Slot, string>>; minRating?: number; dedup?: string; kcore?: { user: number; item: number }; split: string; idOrder: string; seed: number; overwrite?: boolean }) => {
      const raw = await readRawInput(input, o.format, o.map);
      const options = {
        split: parseSplitSpec(o.split),
        seed: o.seed,
        idOrder: o.idOrder,
        ...(o.minRating !== undefined && { minRating: o.minRating }),
        ...(o.dedup !== undefined && { dedup: o.dedup }),
        ...(o.kcore && { kcore: o.kcore }),
      } as PrepOptions;
      const result = await prepareSplit(raw, options, { inputFiles: [input] });
      await writeSplit(o.out, result, { overwrite: o.overwrite });
      for (const s of result.manifest.steps) console.log(describeStep(s));
      const out = result.manifest.output;
      console.log(`wrote ${o.out}: ${out.users} users, ${out.items} items, train/valid/test ${out.train}/${out.valid}/${out.test}`);
    });

  data
    .command('noise')
    .description('write a noisy copy of a dataset folder: ratio·|train| random unobserved pairs added to train (valid/test unchanged)')
    .argument('<dir>', 'source dataset folder')
    .requiredOption('--ratio <r>', 'noise ratio r (adds floor(r·|train|) pairs)', parseNumber('--ratio', false))
    .requiredOption('--out <dir>', 'output folder (written atomically)')
    .option('--seed <n>', 'seed of the noise draw', parseNumber('--seed', true), 2023)
    .option('--overwrite', 'replace an existing non-empty output folder')
    .action(async (dir: string, o: { ratio: number; out: string; seed: number; overwrite?: boolean }) => {
      const ds = await loadDataset(dir);
      const r = await writeNoisyCopy(ds, o.ratio, o.seed, o.out, { overwrite: o.overwrite });
      const out = r.manifest.output;
      console.log(`wrote ${o.out}: added ${r.added.users.length} noisy train pairs (ratio ${o.ratio}, seed ${o.seed}); train/valid/test ${out.train}/${out.valid}/${out.test}`);
    });
}
