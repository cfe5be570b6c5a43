import { z } from 'zod';
import { ConfigError, DataError } from '../../util/errors.js';
import { shuffle, type Rng } from '../../util/rng.js';
import { countDense, groupByUser, type DenseInteractions, type SplitPairs, type StepResult } from './records.js';

const Ratios = z
  .tuple([z.number().positive(), z.number().nonnegative(), z.number().nonnegative()])
  .refine(([a, b, c]) => Math.abs(a + b + c - 1) < 1e-9, { message: 'train, valid and test ratios must sum to 1' });

/**
 * How interactions are divided into train / valid / test.
 * - `ratio`: per user, a seeded random shuffle, then the first part to train, the next to valid, the rest to
 *   test (RLMRec's 3:1:1 is `[0.6, 0.2, 0.2]`).
 * - `temporal`: per user, the same sizes but in time order (oldest to train).
 * - `loo`: per user leave-one-out: the last record by time to test, the one before to valid, the rest to train.
 * - `global-temporal`: one time cut for everyone; see `globalTemporal`.
 * Per-user sizes: each held-out part with a non-zero ratio gets max(1, round(ratio·n)) records and train the
 * rest, so a user needs 1 + (number of non-empty held-out parts) records (3 for loo). Users with fewer go
 * entirely to train: counted in the manifest as `usersAllTrain`, never dropped. Rounding (not RecBole's
 * floor) keeps the totals at the ratios: on RLMRec's Amazon-book degrees 3:1:1 gives 0.600/0.200/0.200
 * overall (RLMRec's own split: 0.600/0.201/0.200), where floor gives 0.643/0.179/0.179.
 * Time ties are broken by source order (the later line counts as later).
 */
export const SplitSpec = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('ratio'), ratios: Ratios }),
  z.strictObject({ kind: z.literal('temporal'), ratios: Ratios }),
  z.strictObject({ kind: z.literal('global-temporal'), ratios: Ratios }),
  z.strictObject({ kind: z.literal('loo') }),
]);
export type SplitSpec = z.infer<typeof SplitSpec>;

export interface SplitParts {
  train: SplitPairs;
  valid: SplitPairs;
  test: SplitPairs;
}

const FORMS = 'ratio:0.6,0.2,0.2 | temporal:0.8,0.1,0.1 | global-temporal:0.8,0.1,0.1 | loo';

/**
 * Parse the command-line form. Ratios are weights normalised by their sum, so `ratio:3,1,1` is RLMRec's
 * 3:1:1 and equals `ratio:0.6,0.2,0.2`.
 */
export function parseSplitSpec(text: string): SplitSpec {
  const [kind, args, ...rest] = text.trim().split(':');
  if (kind === 'loo' && args === undefined) return { kind: 'loo' };
  if ((kind === 'ratio' || kind === 'temporal' || kind === 'global-temporal') && args !== undefined && rest.length === 0) {
    const w = args.split(',').map((s) => Number(s.trim()));
    if (w.length === 3 && w.every((x) => Number.isFinite(x) && x >= 0) && w[0] > 0) {
      const sum = w[0] + w[1] + w[2];
      return SplitSpec.parse({ kind, ratios: w.map((x) => x / sum) });
    }
  }
  throw new ConfigError(`bad split "${text}"; expected one of ${FORMS} (three non-negative weights, train > 0)`);
}

/** Assign every record to one part. Nothing is dropped: the step's `out` equals its `in`. */
export function splitInteractions(d: DenseInteractions, spec: SplitSpec, rng?: Rng): StepResult<SplitParts> {
  const parsed = SplitSpec.safeParse(spec);
  if (!parsed.success) throw new ConfigError(`bad split spec: ${z.prettifyError(parsed.error)}`);
  const part = new Uint8Array(d.users.length);
  let details: Record<string, number | string | null>;
  if (spec.kind === 'global-temporal') {
    details = globalTemporal(d, spec.ratios, part);
  } else {
    if (spec.kind === 'ratio' && !rng) throw new ConfigError('a random ratio split needs a seeded rng');
    if (spec.kind !== 'ratio') requireTimes(d, spec.kind);
    details = perUser(d, spec, part, rng);
  }
  const parts = collect(d, part);
  const cold = coldCounts(d, part);
  const counts = countDense(d);
  return {
    data: parts,
    step: {
      name: 'split',
      params: { ...spec },
      in: counts,
      out: counts,
      details: {
        train: parts.train.users.length,
        valid: parts.valid.users.length,
        test: parts.test.users.length,
        ...details,
        ...cold,
      },
    },
  };
}

/** Records per part for a user with n records; [n, 0, 0] when n is too small to split. */
export function partSizes(n: number, ratios: readonly [number, number, number]): [number, number, number] {
  const [, rv, rt] = ratios;
  if (n < minRecords(ratios)) return [n, 0, 0];
  // 1e-9: an exact half computed as x.4999… still rounds up (weights 19,6,19 give valid share 6/44; ·55 = 7.4999…)
  let nv = rv > 0 ? Math.max(1, Math.round(rv * n + 1e-9)) : 0;
  let nt = rt > 0 ? Math.max(1, Math.round(rt * n + 1e-9)) : 0;
  while (n - nv - nt < 1) {
    if (nv >= nt && nv > 1) nv--;
    else nt--;
  }
  return [n - nv - nt, nv, nt];
}

function perUser(d: DenseInteractions, spec: Exclude<SplitSpec, { kind: 'global-temporal' }>, part: Uint8Array, rng?: Rng) {
  const { start, order } = groupByUser(d.users, d.numUsers);
  const times = d.times;
  let usersAllTrain = 0;
  for (let u = 0; u < d.numUsers; u++) {
    const recs = order.slice(start[u], start[u + 1]);
    const n = recs.length;
    if (n === 0) continue;
    if (spec.kind === 'ratio') shuffle(recs, rng!);
    else recs.sort((a, b) => times![a] - times![b] || a - b);
    const [ntr, nv] = spec.kind === 'loo' ? (n < 3 ? [n, 0] : [n - 2, 1]) : partSizes(n, spec.ratios);
    if (ntr === n) usersAllTrain++;
    for (let k = 0; k < n; k++) part[recs[k]] = k < ntr ? 0 : k < ntr + nv ? 1 : 2;
  }
  return { usersAllTrain, minRecordsPerUser: spec.kind === 'loo' ? 3 : minRecords(spec.ratios) };
}

function minRecords([, rv, rt]: readonly [number, number, number]): number {
  return 1 + (rv > 0 ? 1 : 0) + (rt > 0 ? 1 : 0);
}

/**
 * One cut in time for all users: with records sorted by (time, source order), t1 is the time at position
 * floor(a·N) and t2 at floor((a+b)·N); train = time < t1, valid = t1 ≤ time < t2, test = time ≥ t2. Records
 * sharing a timestamp stay on one side, so part sizes can differ a little from the ratios (the manifest has
 * the real counts). Users and items first seen after the cut are not dropped; they are counted as cold.
 */
function globalTemporal(d: DenseInteractions, [a, b]: readonly [number, number, number], part: Uint8Array) {
  requireTimes(d, 'global-temporal');
  const times = d.times!;
  const n = times.length;
  const sorted = Float64Array.from(times).sort();
  const at = (q: number): number => {
    const k = Math.floor(q * n + 1e-9);
    return k >= n ? Infinity : sorted[k];
  };
  const t1 = at(a), t2 = at(a + b);
  for (let j = 0; j < n; j++) part[j] = times[j] < t1 ? 0 : times[j] < t2 ? 1 : 2;
  return { cutTrainValid: Number.isFinite(t1) ? t1 : null, cutValidTest: Number.isFinite(t2) ? t2 : null };
}

function requireTimes(d: DenseInteractions, kind: string): void {
  if (!d.times) throw new ConfigError(`${d.file}: split "${kind}" needs a time column; use "ratio" for untimed data`);
  for (let j = 0; j < d.times.length; j++) {
    if (!Number.isFinite(d.times[j])) throw new DataError({ file: d.file, line: d.lines[j], field: 'time' }, `missing or non-numeric time (split "${kind}" orders by time)`);
  }
}

function collect(d: DenseInteractions, part: Uint8Array): SplitParts {
  const size = [0, 0, 0];
  for (let j = 0; j < part.length; j++) size[part[j]]++;
  const out = size.map((s) => ({ users: new Int32Array(s), items: new Int32Array(s) }));
  const fill = [0, 0, 0];
  for (let j = 0; j < part.length; j++) {
    const p = part[j], k = fill[p]++;
    out[p].users[k] = d.users[j];
    out[p].items[k] = d.items[j];
  }
  return { train: out[0], valid: out[1], test: out[2] };
}

/** Users / items that occur in valid or test but never in train: recorded, since models cannot learn them. */
function coldCounts(d: DenseInteractions, part: Uint8Array): { coldUsers: number; coldItems: number } {
  const inTrainU = new Uint8Array(d.numUsers), inTrainI = new Uint8Array(d.numItems);
  for (let j = 0; j < part.length; j++) if (part[j] === 0) { inTrainU[d.users[j]] = 1; inTrainI[d.items[j]] = 1; }
  const coldU = new Uint8Array(d.numUsers), coldI = new Uint8Array(d.numItems);
  let coldUsers = 0, coldItems = 0;
  for (let j = 0; j < part.length; j++) {
    if (part[j] === 0) continue;
    const u = d.users[j], i = d.items[j];
    if (!inTrainU[u] && !coldU[u]) { coldU[u] = 1; coldUsers++; }
    if (!inTrainI[i] && !coldI[i]) { coldI[i] = 1; coldItems++; }
  }
  return { coldUsers, coldItems };
}
