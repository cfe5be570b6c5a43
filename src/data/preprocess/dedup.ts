import { ConfigError } from '../../util/errors.js';
import type { RawInteractions } from '../readers/raw.js';
import { countRaw, intern, selectRaw, type StepResult } from './records.js';

/**
 * `earliest`: keep the record with the smallest time (ties and missing times: the first in the file);
 * `first`: keep the first record in the file.
 */
export type DedupKeep = 'earliest' | 'first';

/**
 * Collapse repeated (user, item) records to one, since the interaction matrix is 0/1. Kept records stay in
 * source order. NaN times count as later than any real time, so a timed record wins over an untimed one.
 */
export function dedupPairs(raw: RawInteractions, keep: DedupKeep = raw.times ? 'earliest' : 'first'): StepResult<RawInteractions> {
  const times = raw.times;
  if (keep === 'earliest' && !times) throw new ConfigError(`${raw.file}: dedup "earliest" needs a time column; use "first"`);
  const u = intern(raw.users), i = intern(raw.items);
  const numItems = i.values.length;
  const winner = new Map<number, number>();
  for (let j = 0; j < raw.users.length; j++) {
    const key = u.codes[j] * numItems + i.codes[j];
    const w = winner.get(key);
    if (w === undefined) winner.set(key, j);
    else if (keep === 'earliest' && earlier(times![j], times![w])) winner.set(key, j);
  }
  const kept = Int32Array.from(winner.values()).sort();
  const data = selectRaw(raw, kept);
  return {
    data,
    step: {
      name: 'dedup',
      params: { keep },
      in: countRaw(raw),
      out: countRaw(data),
      details: { removed: raw.users.length - kept.length },
    },
  };
}

function earlier(a: number, b: number): boolean {
  if (Number.isNaN(a)) return false;
  return Number.isNaN(b) || a < b;
}
