import type { RawInteractions } from '../readers/raw.js';

/** Distinct users, distinct items and records at one point of the pipeline. */
export interface Counts {
  users: number;
  items: number;
  interactions: number;
}

/**
 * What one preprocessing step did, as it goes into the manifest: its parameters and the counts before and
 * after. `details` holds step-specific numbers (duplicates removed, k-core passes, users kept whole in train).
 */
export interface StepRecord {
  name: string;
  params: Record<string, unknown>;
  in: Counts;
  out: Counts;
  details?: Record<string, number | string | null>;
}

export interface StepResult<T> {
  data: T;
  step: StepRecord;
}

/**
 * Interactions after id densification: users 0..numUsers-1 and items 0..numItems-1, still one entry per
 * record (parallel arrays) so splits can use time and source order. `userRaw[u]` is the raw id of user u.
 */
export interface DenseInteractions {
  readonly numUsers: number;
  readonly numItems: number;
  readonly users: Int32Array;
  readonly items: Int32Array;
  readonly ratings?: Float64Array;
  readonly times?: Float64Array;
  readonly texts?: (string | undefined)[];
  readonly lines: Int32Array;
  readonly file: string;
  readonly userRaw: string[];
  readonly itemRaw: string[];
}

/** Parallel (user, item) arrays: one split part. */
export interface SplitPairs {
  readonly users: Int32Array;
  readonly items: Int32Array;
}

export function countRaw(raw: RawInteractions): Counts {
  return { users: new Set(raw.users).size, items: new Set(raw.items).size, interactions: raw.users.length };
}

export function countDense(d: DenseInteractions): Counts {
  return { users: countDistinct(d.users, d.numUsers), items: countDistinct(d.items, d.numItems), interactions: d.users.length };
}

export function countDistinct(ids: Int32Array, n: number): number {
  const seen = new Uint8Array(n);
  let k = 0;
  for (let j = 0; j < ids.length; j++) if (!seen[ids[j]]) { seen[ids[j]] = 1; k++; }
  return k;
}

/** The records at positions `keep` (in that order), all parallel arrays cut alike. */
export function selectRaw(raw: RawInteractions, keep: ArrayLike<number>): RawInteractions {
  const n = keep.length;
  const users = new Array<string>(n), items = new Array<string>(n), lines = new Int32Array(n);
  const ratings = raw.ratings ? new Float64Array(n) : undefined;
  const times = raw.times ? new Float64Array(n) : undefined;
  const texts = raw.texts ? new Array<string | undefined>(n) : undefined;
  for (let j = 0; j < n; j++) {
    const k = keep[j];
    users[j] = raw.users[k];
    items[j] = raw.items[k];
    lines[j] = raw.lines[k];
    if (ratings) ratings[j] = raw.ratings![k];
    if (times) times[j] = raw.times![k];
    if (texts) texts[j] = raw.texts![k];
  }
  return { users, items, lines, file: raw.file, ...(ratings && { ratings }), ...(times && { times }), ...(texts && { texts }) };
}

/** Map strings to 0..n-1 in order of first appearance. */
export function intern(ids: string[]): { codes: Int32Array; values: string[] } {
  const index = new Map<string, number>();
  const codes = new Int32Array(ids.length);
  const values: string[] = [];
  for (let j = 0; j < ids.length; j++) {
    let c = index.get(ids[j]);
    if (c === undefined) { c = values.length; index.set(ids[j], c); values.push(ids[j]); }
    codes[j] = c;
  }
  return { codes, values };
}

/**
 * Record positions grouped by user, each group in source order (a counting sort): the records of user u are
 * `order[start[u] .. start[u+1])`.
 */
export function groupByUser(users: Int32Array, numUsers: number): { start: Int32Array; order: Int32Array } {
  const start = new Int32Array(numUsers + 1);
  for (let j = 0; j < users.length; j++) start[users[j] + 1]++;
  for (let u = 0; u < numUsers; u++) start[u + 1] += start[u];
  const fill = start.slice(0, numUsers);
  const order = new Int32Array(users.length);
  for (let j = 0; j < users.length; j++) order[fill[users[j]]++] = j;
  return { start, order };
}
