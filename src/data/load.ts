import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { DataError } from '../util/errors.js';
import { csrFromPairs, hasEntry, transpose, type Csr } from './csr.js';
import type { Dataset, EntityTexts, Review } from './dataset.js';
import { readIdMap, readPairsTsv, type IdMap, type Pairs } from './readers/tsv.js';
import { readItemMeta, readProfiles, readReviews, type JoinTarget } from './readers/texts.js';

export interface LoadOptions {
  /** Dataset name; defaults to the folder's basename. */
  name?: string;
  /** Read profiles, reviews and item metadata (default true); false loads only ids and splits. */
  texts?: boolean;
  signal?: AbortSignal;
}

export const SPLIT_NAMES = ['train', 'valid', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

/** The CSR form of three validated splits. */
export interface Splits {
  readonly train: Csr;
  readonly trainT: Csr;
  readonly valid: Csr;
  readonly test: Csr;
}

/**
 * Load a dataset folder in the uniform split format (see conventions.md): `train/valid/test.tsv` (required),
 * optional `user_map.tsv`/`item_map.tsv`, and optional JSON Lines texts (`user_profiles`, `item_profiles`,
 * `reviews`, `items`, each `.jsonl.gz` or `.jsonl`). Everything is validated; the first problem throws a
 * DataError naming file and line. Other files in the folder are not read.
 */
export async function loadDataset(dir: string, opts: LoadOptions = {}): Promise<Dataset> {
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new DataError({ file: dir }, 'dataset folder not found');
  const names = new Set(await readdir(dir));
  const missing = SPLIT_NAMES.map((s) => `${s}.tsv`).filter((f) => !names.has(f));
  if (missing.length) {
    const also = missing.length > 1 ? ` (also missing: ${missing.slice(1).join(', ')})` : '';
    throw new DataError({ file: join(dir, missing[0]) }, `required file is missing${also}; a dataset needs train.tsv, valid.tsv and test.tsv (user<TAB>item lines)`);
  }
  const files: string[] = [];
  const path = (f: string): string => {
    files.push(f);
    return join(dir, f);
  };
  const userMap = names.has('user_map.tsv') ? await readIdMap(path('user_map.tsv')) : undefined;
  const itemMap = names.has('item_map.tsv') ? await readIdMap(path('item_map.tsv')) : undefined;
  const pairs = await Promise.all(SPLIT_NAMES.map((s) => readPairsTsv(path(`${s}.tsv`))));
  opts.signal?.throwIfAborted();
  const numUsers = entityCount(pairs, 'users', userMap);
  const numItems = entityCount(pairs, 'items', itemMap);
  const splits = assembleSplits(pairs[0], pairs[1], pairs[2], numUsers, numItems);

  const target: JoinTarget = { numUsers, numItems, userRawIds: userMap?.rawIds, itemRawIds: itemMap?.rawIds };
  let userTexts: EntityTexts | undefined;
  let itemTexts: EntityTexts | undefined;
  let reviews: Review[] | undefined;
  let itemMeta: Dataset['itemMeta'];
  if (opts.texts !== false) {
    const jsonl = (base: string): string | undefined => {
      const f = findJsonl(dir, names, base);
      return f === undefined ? undefined : path(f);
    };
    const up = jsonl('user_profiles');
    if (up) userTexts = await readProfiles(up, 'user', target, opts);
    const ip = jsonl('item_profiles');
    if (ip) itemTexts = await readProfiles(ip, 'item', target, opts);
    const rv = jsonl('reviews');
    if (rv) reviews = await readReviews(rv, target, opts);
    const im = jsonl('items');
    if (im) itemMeta = await readItemMeta(im, target, opts);
  }
  const itemTitles = itemMap?.titles ?? titlesFromMeta(itemMeta);
  return {
    name: opts.name ?? basename(resolve(dir)),
    dir,
    numUsers,
    numItems,
    ...splits,
    ...(userMap && { userRawIds: userMap.rawIds }),
    ...(itemMap && { itemRawIds: itemMap.rawIds }),
    ...(itemTitles && { itemTitles }),
    ...(userTexts && { userTexts }),
    ...(itemTexts && { itemTexts }),
    ...(reviews && { reviews }),
    ...(itemMeta && { itemMeta }),
    files,
  };
}

/**
 * Build the CSR matrices of three splits, rejecting a pair repeated within a split (naming both lines) or
 * shared between two splits (naming both files and lines). Ids must already be within range.
 */
export function assembleSplits(train: Pairs, valid: Pairs, test: Pairs, numUsers: number, numItems: number): Splits {
  const all = [train, valid, test];
  const csr = all.map((p) => toCsr(p, numUsers, numItems));
  for (let b = 1; b < all.length; b++) {
    for (let a = 0; a < b; a++) checkDisjoint(all[a], csr[a], all[b]);
  }
  return { train: csr[0], trainT: transpose(csr[0]), valid: csr[1], test: csr[2] };
}

/** Map length when a map exists (every split id must be inside it), else max id + 1 over all splits. */
function entityCount(pairs: Pairs[], key: 'users' | 'items', map: IdMap | undefined): number {
  const field = key === 'users' ? 'user' : 'item';
  if (map) {
    const n = map.rawIds.length;
    for (const p of pairs) {
      const ids = p[key];
      for (let k = 0; k < ids.length; k++) {
        if (ids[k] >= n) {
          throw new DataError({ file: p.file, line: k + 1, field }, `${field} id ${ids[k]} is beyond ${basename(map.file)} (${n} ${key}, ids 0..${n - 1})`);
        }
      }
    }
    return n;
  }
  let max = -1;
  for (const p of pairs) {
    const ids = p[key];
    for (let k = 0; k < ids.length; k++) if (ids[k] > max) max = ids[k];
  }
  return max + 1;
}

function toCsr(p: Pairs, rows: number, cols: number): Csr {
  try {
    return csrFromPairs(rows, cols, p.users, p.items);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const seen = new Map<number, number>();
    for (let k = 0; k < p.users.length; k++) {
      const key = p.users[k] * cols + p.items[k];
      const first = seen.get(key);
      if (first !== undefined) {
        throw new DataError({ file: p.file, line: k + 1 }, `duplicate interaction (user ${p.users[k]}, item ${p.items[k]}): also on line ${first + 1}`);
      }
      seen.set(key, k);
    }
    throw e;
  }
}

function checkDisjoint(earlier: Pairs, earlierCsr: Csr, later: Pairs): void {
  for (let k = 0; k < later.users.length; k++) {
    const u = later.users[k], i = later.items[k];
    if (!hasEntry(earlierCsr, u, i)) continue;
    let j = 0;
    while (earlier.users[j] !== u || earlier.items[j] !== i) j++;
    throw new DataError(
      { file: later.file, line: k + 1 },
      `interaction (user ${u}, item ${i}) is also at ${earlier.file}:${j + 1}; splits must be disjoint`,
    );
  }
}

function findJsonl(dir: string, names: Set<string>, base: string): string | undefined {
  const gz = `${base}.jsonl.gz`, plain = `${base}.jsonl`;
  if (names.has(gz) && names.has(plain)) throw new DataError({ file: join(dir, plain) }, `both ${plain} and ${gz} exist; keep one`);
  if (names.has(gz)) return gz;
  return names.has(plain) ? plain : undefined;
}

function titlesFromMeta(meta: Dataset['itemMeta']): (string | undefined)[] | undefined {
  if (!meta?.some((m) => typeof m?.title === 'string')) return undefined;
  return meta.map((m) => (typeof m?.title === 'string' ? m.title : undefined));
}
