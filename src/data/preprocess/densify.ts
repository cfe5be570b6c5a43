import type { RawInteractions } from '../readers/raw.js';
import { countDense, countRaw, intern, type DenseInteractions, type StepResult } from './records.js';

/**
 * `first-seen`: ids in order of first appearance in the (filtered) file, as RecBole's remapping does.
 * `sorted`: ids in order of raw id compared by UTF-16 code units ("10" sorts before "9"), so the mapping does
 * not depend on record order.
 */
export type IdOrder = 'first-seen' | 'sorted';

/** Replace raw string ids by dense 0-based ids; the maps are returned for user_map.tsv / item_map.tsv. */
export function densify(raw: RawInteractions, order: IdOrder = 'first-seen'): StepResult<DenseInteractions> {
  const u = remap(raw.users, order), i = remap(raw.items, order);
  const data: DenseInteractions = {
    numUsers: u.values.length,
    numItems: i.values.length,
    users: u.codes,
    items: i.codes,
    lines: raw.lines,
    file: raw.file,
    userRaw: u.values,
    itemRaw: i.values,
    ...(raw.ratings && { ratings: raw.ratings }),
    ...(raw.times && { times: raw.times }),
    ...(raw.texts && { texts: raw.texts }),
  };
  return { data, step: { name: 'densify', params: { order }, in: countRaw(raw), out: countDense(data) } };
}

function remap(ids: string[], order: IdOrder): { codes: Int32Array; values: string[] } {
  const first = intern(ids);
  if (order === 'first-seen') return first;
  const values = first.values.slice().sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rank = new Int32Array(values.length);
  const pos = new Map(values.map((v, k) => [v, k]));
  first.values.forEach((v, k) => { rank[k] = pos.get(v)!; });
  const codes = first.codes.map((c) => rank[c]);
  return { codes, values };
}
