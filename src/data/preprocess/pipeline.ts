import { z } from 'zod';
import { ConfigError, DataError, LmmrecError } from '../../util/errors.js';
import { createRng } from '../../util/rng.js';
import type { RawInteractions } from '../readers/raw.js';
import { dedupPairs } from './dedup.js';
import { densify } from './densify.js';
import { filterByRating } from './filter.js';
import { kcore } from './kcore.js';
import { describeInputs, lmmrecVersion, type Manifest } from './manifest.js';
import type { StepRecord } from './records.js';
import { SplitSpec, splitInteractions } from './split.js';
import type { PreparedSplit } from './write.js';

/**
 * Options of `prepareSplit`. The steps always run in this order: rating filter (if `minRating`), dedup,
 * k-core (if `kcore`), id densification, split. Filtering before dedup means a pair rated 2 then 5 keeps
 * its 5; dedup before k-core means a repeated pair counts once.
 */
export const PrepOptions = z.strictObject({
  minRating: z.number().optional(),
  /** Default: `earliest` when the input has times, else `first`. */
  dedup: z.enum(['earliest', 'first']).optional(),
  kcore: z.strictObject({ user: z.int().nonnegative(), item: z.int().nonnegative() }).optional(),
  idOrder: z.enum(['first-seen', 'sorted']).default('first-seen'),
  split: SplitSpec,
  seed: z.int().default(2023),
});
export type PrepOptions = z.input<typeof PrepOptions>;

export interface PrepContext {
  /** Files the raw interactions were read from, hashed into the manifest (default: `raw.file`). */
  inputFiles?: readonly string[];
  signal?: AbortSignal;
  /** Clock for the manifest timestamp (tests pin it). */
  now?: () => Date;
}

/** Run the preprocessing steps on raw interactions and build the manifest; `writeSplit` stores the result. */
export async function prepareSplit(raw: RawInteractions, options: PrepOptions, ctx: PrepContext = {}): Promise<PreparedSplit> {
  const parsed = PrepOptions.safeParse(options);
  if (!parsed.success) throw new ConfigError(`bad data preparation options:\n${z.prettifyError(parsed.error)}`);
  const opts = parsed.data;
  const steps: StepRecord[] = [];
  const checkAbort = (): void => {
    if (ctx.signal?.aborted) throw new LmmrecError('ABORTED', 'data preparation aborted');
  };
  const check = (what: string, n: number): void => {
    checkAbort();
    if (n === 0) throw new DataError({ file: raw.file }, `no interactions left after ${what}`);
  };
  check('reading', raw.users.length);
  let cur = raw;
  if (opts.minRating !== undefined) {
    const r = filterByRating(cur, opts.minRating);
    steps.push(r.step);
    cur = r.data;
    check(`the rating filter (>= ${opts.minRating})`, cur.users.length);
  }
  const dd = dedupPairs(cur, opts.dedup);
  steps.push(dd.step);
  cur = dd.data;
  if (opts.kcore) {
    const r = kcore(cur, opts.kcore);
    steps.push(r.step);
    cur = r.data;
    check(`the ${opts.kcore.user}/${opts.kcore.item} k-core`, cur.users.length);
  }
  const dense = densify(cur, opts.idOrder);
  steps.push(dense.step);
  const d = dense.data;
  const split = splitInteractions(d, opts.split, createRng(opts.seed).derive('split'));
  steps.push(split.step);
  checkAbort();

  const manifest: Manifest = {
    format: 'lmmrec-data/1',
    kind: 'split',
    lmmrecVersion: lmmrecVersion(),
    createdAt: (ctx.now?.() ?? new Date()).toISOString(),
    seed: opts.seed,
    inputs: await describeInputs(ctx.inputFiles ?? [raw.file]),
    steps,
    output: {
      users: d.numUsers,
      items: d.numItems,
      train: split.data.train.users.length,
      valid: split.data.valid.users.length,
      test: split.data.test.users.length,
    },
  };
  return { numUsers: d.numUsers, numItems: d.numItems, userRaw: d.userRaw, itemRaw: d.itemRaw, ...split.data, records: d, manifest };
}
