import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RawInteractions } from '../../../src/data/readers/raw.js';

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');
export const BEAUTY_REVIEWS = join(FIXTURES, 'tiny_beauty', 'reviews.jsonl');

/** Raw interactions from [user, item, rating?, time?] rows; line k+1 for row k. */
export function rawOf(rows: [string, string, number?, number?][], file = 'mem.tsv'): RawInteractions {
  const hasRating = rows.some((r) => r[2] !== undefined), hasTime = rows.some((r) => r[3] !== undefined);
  return {
    users: rows.map((r) => r[0]),
    items: rows.map((r) => r[1]),
    lines: Int32Array.from(rows, (_r, k) => k + 1),
    file,
    ...(hasRating && { ratings: Float64Array.from(rows, (r) => r[2] ?? NaN) }),
    ...(hasTime && { times: Float64Array.from(rows, (r) => r[3] ?? NaN) }),
  };
}

/** tiny_beauty/reviews.jsonl as raw interactions (raw ids, rating, time, text). */
export function beautyRaw(): RawInteractions {
  const recs = readFileSync(BEAUTY_REVIEWS, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { user_raw: string; item_raw: string; rating: number; time: number; text: string });
  return {
    users: recs.map((r) => r.user_raw),
    items: recs.map((r) => r.item_raw),
    ratings: Float64Array.from(recs, (r) => r.rating),
    times: Float64Array.from(recs, (r) => r.time),
    texts: recs.map((r) => r.text),
    lines: Int32Array.from(recs, (_r, k) => k + 1),
    file: BEAUTY_REVIEWS,
  };
}

/** Sorted "u,i" keys of parallel arrays, for set comparisons. */
export function keys(users: Int32Array, items: Int32Array): string[] {
  return Array.from(users, (u, k) => `${u},${items[k]}`).sort();
}
