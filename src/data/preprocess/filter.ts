import { ConfigError, DataError } from '../../util/errors.js';
import type { RawInteractions } from '../readers/raw.js';
import { countRaw, selectRaw, type StepResult } from './records.js';

/**
 * Keep records with rating >= minRating (RLMRec drops ratings < 3 on Amazon-book and Yelp). A record without
 * a usable rating is an error naming its line, not a silent drop.
 */
export function filterByRating(raw: RawInteractions, minRating: number): StepResult<RawInteractions> {
  if (!Number.isFinite(minRating)) throw new ConfigError(`minRating must be a finite number, got ${minRating}`);
  const ratings = raw.ratings;
  if (!ratings) throw new ConfigError(`${raw.file}: a rating threshold was asked for but the input has no rating column`);
  const keep: number[] = [];
  for (let j = 0; j < ratings.length; j++) {
    const r = ratings[j];
    if (Number.isNaN(r)) throw new DataError({ file: raw.file, line: raw.lines[j], field: 'rating' }, 'missing or non-numeric rating');
    if (r >= minRating) keep.push(j);
  }
  const data = selectRaw(raw, keep);
  return {
    data,
    step: {
      name: 'rating-filter',
      params: { minRating },
      in: countRaw(raw),
      out: countRaw(data),
      details: { removed: raw.users.length - keep.length },
    },
  };
}
