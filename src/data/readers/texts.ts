import { basename } from 'node:path';
import { DataError } from '../../util/errors.js';
import type { EntityTexts, Review } from '../dataset.js';
import { ItemMetaRecord, ItemProfileRecord, ReviewRecord, UserProfileRecord, readJsonl, type JsonlOptions } from './jsonl.js';

export type EntityKind = 'user' | 'item';

/** What the texts are joined against: entity counts and, when maps exist, raw ids to cross-check. */
export interface JoinTarget {
  readonly numUsers: number;
  readonly numItems: number;
  readonly userRawIds?: readonly string[];
  readonly itemRawIds?: readonly string[];
}

/**
 * Read `user_profiles` / `item_profiles` into one text slot per entity. An id outside the dataset, a second
 * profile for the same entity, or a raw_id that disagrees with the id map is an error naming the line.
 */
export async function readProfiles(path: string, kind: EntityKind, target: JoinTarget, opts: JsonlOptions = {}): Promise<EntityTexts> {
  const n = kind === 'user' ? target.numUsers : target.numItems;
  const rawIds = kind === 'user' ? target.userRawIds : target.itemRawIds;
  const text = new Array<string | undefined>(n).fill(undefined);
  const lineOf = new Int32Array(n);
  const onRecord = (id: number, raw: string | undefined, profile: string, line: number): void => {
    checkId(path, line, kind, id, n);
    if (lineOf[id] !== 0) throw new DataError({ file: path, line, field: kind }, `second profile for ${kind} ${id} (first on line ${lineOf[id]})`);
    if (raw !== undefined) checkRaw(path, line, 'raw_id', kind, id, raw, rawIds);
    lineOf[id] = line;
    text[id] = profile;
  };
  if (kind === 'user') {
    await readJsonl(path, UserProfileRecord, (r, line) => onRecord(r.user, r.raw_id, r.profile, line), opts);
  } else {
    await readJsonl(path, ItemProfileRecord, (r, line) => onRecord(r.item, r.raw_id, r.profile, line), opts);
  }
  return { source: basename(path), text };
}

/** Read reviews in file order, checking ids against the dataset and raw ids against the maps. */
export async function readReviews(path: string, target: JoinTarget, opts: JsonlOptions = {}): Promise<Review[]> {
  const reviews: Review[] = [];
  await readJsonl(
    path,
    ReviewRecord,
    (r, line) => {
      checkId(path, line, 'user', r.user, target.numUsers);
      checkId(path, line, 'item', r.item, target.numItems);
      if (r.user_raw !== undefined) checkRaw(path, line, 'user_raw', 'user', r.user, r.user_raw, target.userRawIds);
      if (r.item_raw !== undefined) checkRaw(path, line, 'item_raw', 'item', r.item, r.item_raw, target.itemRawIds);
      const review: Review = { user: r.user, item: r.item, text: r.text };
      if (r.rating !== undefined) review.rating = r.rating;
      if (r.time !== undefined) review.time = r.time;
      if (r.summary !== undefined) review.summary = r.summary;
      reviews.push(review);
    },
    opts,
  );
  return reviews;
}

/** Read `items.jsonl(.gz)` metadata, one record per item at most. */
export async function readItemMeta(path: string, target: JoinTarget, opts: JsonlOptions = {}): Promise<(ItemMetaRecord | undefined)[]> {
  const meta = new Array<ItemMetaRecord | undefined>(target.numItems).fill(undefined);
  const lineOf = new Int32Array(target.numItems);
  await readJsonl(
    path,
    ItemMetaRecord,
    (r, line) => {
      checkId(path, line, 'item', r.item, target.numItems);
      if (lineOf[r.item] !== 0) throw new DataError({ file: path, line, field: 'item' }, `second record for item ${r.item} (first on line ${lineOf[r.item]})`);
      lineOf[r.item] = line;
      meta[r.item] = r;
    },
    opts,
  );
  return meta;
}

function checkId(file: string, line: number, kind: EntityKind, id: number, n: number): void {
  if (id >= n) throw new DataError({ file, line, field: kind }, `${kind} id ${id} is beyond the dataset (${n} ${kind}s, ids 0..${n - 1})`);
}

function checkRaw(file: string, line: number, field: string, kind: EntityKind, id: number, raw: string, rawIds: readonly string[] | undefined): void {
  if (rawIds && rawIds[id] !== raw) {
    throw new DataError({ file, line, field }, `${JSON.stringify(raw)} disagrees with ${kind}_map.tsv, which maps ${kind} ${id} to ${JSON.stringify(rawIds[id])}`);
  }
}
