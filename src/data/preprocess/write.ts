import { chmod, mkdir, mkdtemp, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { DataError, LmmrecError } from '../../util/errors.js';
import type { Manifest } from './manifest.js';
import type { DenseInteractions, SplitPairs } from './records.js';

/** Everything `writeSplit` puts in a data folder. */
export interface PreparedSplit {
  numUsers: number;
  numItems: number;
  userRaw: string[];
  itemRaw: string[];
  train: SplitPairs;
  valid: SplitPairs;
  test: SplitPairs;
  /** The kept records; when they carry review text it is written to reviews.jsonl.gz. */
  records?: DenseInteractions;
  manifest: Manifest;
}

export interface WriteOptions {
  /** Replace an existing non-empty folder (the old one is removed only after the new one is in place). */
  overwrite?: boolean;
}

/**
 * Build a folder in a temp dir next to `outDir`, then rename it into place, so readers see either the old
 * folder or the complete new one. On any error the temp dir is removed and `outDir` is untouched.
 */
export async function writeDirAtomic(outDir: string, fill: (tmpDir: string) => Promise<void>, opts: WriteOptions = {}): Promise<void> {
  const target = resolve(outDir);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const existing = await entriesOf(target);
  if (existing !== undefined && existing > 0 && !opts.overwrite) {
    throw new LmmrecError('USAGE', `${outDir} already exists and is not empty; choose another folder or overwrite it`);
  }
  const tmp = await mkdtemp(join(parent, `.${basename(target)}.tmp-`));
  try {
    await fill(tmp);
    // mkdtemp makes the dir owner-only; the finished folder should read like one made by mkdir
    await chmod(tmp, 0o755);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  const now = await entriesOf(target);
  if (now === undefined) return rename(tmp, target);
  if (now === 0) { await rmdir(target); return rename(tmp, target); }
  const old = `${tmp}.old`;
  await rename(target, old);
  await rename(tmp, target);
  await rm(old, { recursive: true, force: true });
}

async function entriesOf(dir: string): Promise<number | undefined> {
  try {
    return (await readdir(dir)).length;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** `user\titem` lines sorted by (user, item), the uniform split format. */
export function pairsToTsv(p: SplitPairs, numItems: number): string {
  const keys = new Float64Array(p.users.length);
  for (let k = 0; k < keys.length; k++) keys[k] = p.users[k] * numItems + p.items[k];
  keys.sort();
  const lines = new Array<string>(keys.length);
  for (let k = 0; k < keys.length; k++) {
    const u = Math.floor(keys[k] / numItems);
    lines[k] = `${u}\t${keys[k] - u * numItems}\n`;
  }
  return lines.join('');
}

/** `id\traw_id` lines; a raw id holding a tab or line break cannot be stored and is an error. */
export function mapToTsv(raw: readonly string[], file: string): string {
  const lines = new Array<string>(raw.length);
  for (let id = 0; id < raw.length; id++) {
    if (/[\t\r\n]/.test(raw[id])) throw new DataError({ file, line: id + 1, field: 'raw_id' }, `raw id ${JSON.stringify(raw[id])} contains a tab or line break`);
    lines[id] = `${id}\t${raw[id]}\n`;
  }
  return lines.join('');
}

/**
 * Write train/valid/test.tsv, user_map.tsv, item_map.tsv, manifest.json (and reviews.jsonl.gz when the
 * records have text) atomically into `outDir`.
 */
export async function writeSplit(outDir: string, result: PreparedSplit, opts: WriteOptions = {}): Promise<void> {
  await writeDirAtomic(outDir, async (tmp) => {
    for (const part of ['train', 'valid', 'test'] as const) {
      await writeFile(join(tmp, `${part}.tsv`), pairsToTsv(result[part], result.numItems));
    }
    await writeFile(join(tmp, 'user_map.tsv'), mapToTsv(result.userRaw, join(outDir, 'user_map.tsv')));
    await writeFile(join(tmp, 'item_map.tsv'), mapToTsv(result.itemRaw, join(outDir, 'item_map.tsv')));
    if (result.records?.texts?.some((t) => t !== undefined)) await writeFile(join(tmp, 'reviews.jsonl.gz'), await reviewsJsonlGz(result.records));
    await writeFile(join(tmp, 'manifest.json'), `${JSON.stringify(result.manifest, null, 2)}\n`);
  }, opts);
}

/** Records with text as `{user, item, rating?, text, time?, user_raw, item_raw}`; records without text are left out. */
async function reviewsJsonlGz(d: DenseInteractions): Promise<Buffer> {
  const lines: string[] = [];
  for (let j = 0; j < d.users.length; j++) {
    const text = d.texts![j];
    if (text === undefined) continue;
    const u = d.users[j], i = d.items[j];
    lines.push(`${JSON.stringify({
      user: u,
      item: i,
      ...(d.ratings && !Number.isNaN(d.ratings[j]) && { rating: d.ratings[j] }),
      text,
      ...(d.times && !Number.isNaN(d.times[j]) && { time: d.times[j] }),
      user_raw: d.userRaw[u],
      item_raw: d.itemRaw[i],
    })}\n`);
  }
  return promisify(gzip)(lines.join(''));
}
