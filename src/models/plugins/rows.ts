import * as F from '../../tensor/fn.js';
import type { Node, Tape } from '../../tensor/tape.js';
import { type Mat, matrix } from '../../tensor/tensor.js';
import type { Rng } from '../../util/rng.js';
import type { TextPair } from './context.js';

/**
 * Row bookkeeping shared by the plug-ins: de-duplicating batch ids, dropping entities without text, copying
 * constant text rows, and stacking user and item rows into one matrix.
 */

/** Distinct ids in first-appearance order, and for each input position the index of its id among them. */
export function uniqueIds(ids: Int32Array, bound: number): { ids: Int32Array; pos: Int32Array } {
  const slot = new Int32Array(bound).fill(-1), out: number[] = [], pos = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    if (slot[v] < 0) {
      slot[v] = out.length;
      out.push(v);
    }
    pos[i] = slot[v];
  }
  return { ids: Int32Array.from(out), pos };
}

/** The ids whose mask entry is 1, in order (duplicates kept). */
export function withText(ids: Int32Array, mask: Uint8Array): Int32Array {
  let n = 0;
  for (let i = 0; i < ids.length; i++) n += mask[ids[i]];
  if (n === ids.length) return ids;
  const out = new Int32Array(n);
  for (let i = 0, w = 0; i < ids.length; i++) if (mask[ids[i]] === 1) out[w++] = ids[i];
  return out;
}

/**
 * A matrix buffer reused across steps (grown when too small): for constants a step builds (text rows, noise),
 * which the tape reads only until its next reset. Each call site owns one; a second call overwrites the first.
 */
export type Scratch = (rows: number, cols: number) => Mat;

export function createScratch(): Scratch {
  let buf = matrix(0, 0).data;
  return (rows, cols) => {
    if (buf.length < rows * cols) buf = matrix(Math.ceil(rows * cols * 1.25), 1).data;
    return { rows, cols, data: buf.subarray(0, rows * cols) };
  };
}

/** The given rows of a constant matrix, copied into `out` (a fresh matrix by default). */
export function copyRows(m: Mat, rows: Int32Array, out: Scratch = matrix): Mat {
  const d = m.cols, res = out(rows.length, d);
  for (let i = 0; i < rows.length; i++) res.data.set(m.data.subarray(rows[i] * d, rows[i] * d + d), i * d);
  return res;
}

/** Text rows of the given users followed by those of the given items, as one constant matrix. */
export function textRows(pair: TextPair, users: Int32Array, items: Int32Array, scratch: Scratch = matrix): Mat {
  const d = pair.users.cols, out = scratch(users.length + items.length, d);
  for (let i = 0; i < users.length; i++) out.data.set(pair.users.data.subarray(users[i] * d, users[i] * d + d), i * d);
  for (let i = 0; i < items.length; i++) out.data.set(pair.items.data.subarray(items[i] * d, items[i] * d + d), (users.length + i) * d);
  return out;
}

/**
 * Rows a[aRows] followed by rows b[bRows], as one (|aRows| + |bRows|) × d node (gradients flow to a and b).
 * Built from two full-height gathers and 0/1 row masks, so every intermediate shape depends only on the
 * total: node sets whose user / item split changes from step to step (MCS's V, RLMRec-Gen's masked nodes)
 * then reuse the tape's buffers. `masks` caches the mask constants (one per call site).
 */
export function stackRows(t: Tape, a: Node, aRows: Int32Array, b: Node, bRows: Int32Array, masks: [Scratch, Scratch] = [matrix, matrix]): Node {
  const na = aRows.length, nb = bRows.length, n = na + nb, d = t.value(a).cols;
  if (nb === 0) return F.gatherRows(t, a, aRows);
  if (na === 0) return F.gatherRows(t, b, bRows);
  const ia = new Int32Array(n).fill(aRows[0]), ib = new Int32Array(n).fill(bRows[0]);
  ia.set(aRows);
  ib.set(bRows, na);
  const ma = masks[0](n, d), mb = masks[1](n, d);
  ma.data.fill(1, 0, na * d).fill(0, na * d);
  mb.data.fill(0, 0, na * d).fill(1, na * d);
  return F.add(t, F.mul(t, F.gatherRows(t, a, ia), t.constant(ma)), F.mul(t, F.gatherRows(t, b, ib), t.constant(mb)));
}

/** k distinct entries of `ids` drawn uniformly (partial Fisher–Yates), in drawn order; all of them if k ≥ length. */
export function sampleIds(ids: Int32Array, k: number, rng: Rng): Int32Array {
  if (k >= ids.length) return ids;
  const a = ids.slice();
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(a.length - i);
    const v = a[i];
    a[i] = a[j];
    a[j] = v;
  }
  return a.subarray(0, k);
}

/** A constant matrix of i.i.d. 1 + N(0, 1) entries: multiplicative Gaussian noise x ⊙ (1 + ε). */
export function noiseFactors(rows: number, cols: number, rng: Rng, scratch: Scratch = matrix): Mat {
  const m = scratch(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = 1 + rng.normal();
  return m;
}

/**
 * Distinct ids of a batch column with their multiplicities, padded for fixed shapes: `ids` has a bucketed
 * length (padding repeats ids[0] with count 0), so the tape sees a few row counts over a run instead of a new
 * one every step (its buffer pool is keyed by length and never shrinks).
 */
export interface Distinct {
  /** Distinct ids (first-appearance order), then padding. */
  readonly ids: Int32Array;
  /** Occurrences of each id; 0 on padding. */
  readonly counts: Float32Array;
  /** Number of distinct ids (the unpadded prefix of `ids`). */
  readonly size: number;
  /** Σ counts: the batch rows the distinct ids stand for. */
  readonly total: number;
}

/** The ids whose mask entry is 1, de-duplicated and counted (see Distinct), padded to `size(count)`. */
export function distinct(ids: Int32Array, mask: Uint8Array, bound: number, size: Sizer = bucket): Distinct {
  const slot = new Int32Array(bound).fill(-1), out: number[] = [], counts: number[] = [];
  let total = 0;
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    if (mask[v] !== 1) continue;
    total++;
    if (slot[v] < 0) {
      slot[v] = out.length;
      out.push(v);
      counts.push(0);
    }
    counts[slot[v]]++;
  }
  const n = out.length, padded = size(n);
  const idsOut = new Int32Array(padded).fill(n > 0 ? out[0] : 0), countsOut = new Float32Array(padded);
  idsOut.set(out);
  countsOut.set(counts);
  return { ids: idsOut, counts: countsOut, size: n, total };
}

/**
 * n rounded up to a multiple of 2^(⌊log2 n⌋ − bits): at most 2^−bits padding (half that on average), and
 * batch-to-batch variation lands in one or two buckets.
 */
export function bucket(n: number, bits = 3): number {
  if (n <= 2 ** (bits + 1)) return n;
  const step = 2 ** (Math.floor(Math.log2(n)) - bits);
  return Math.ceil(n / step) * step;
}

/** A padded size for a count (see bucket); `createSizer` keeps one per call site. */
export type Sizer = (n: number) => number;

/**
 * Padded sizes with hysteresis: the previous size is kept while the count fits in it with at most 1/4
 * padding, else the count's bucket is taken. The tape keeps only the previous step's buffers, so a size
 * that flips between neighbouring buckets would reallocate them (shared memory, zeroed) on most steps.
 */
export function createSizer(bits = 3): Sizer {
  let cap = -1;
  return (n) => {
    if (n > cap || n < cap * 0.75) cap = bucket(n, bits);
    return cap;
  };
}

/** row[v] = the first position of v in ids (−1 elsewhere), over ids < bound; `row` is reused when given. */
export function rowIndex(ids: Int32Array, bound: number, row = new Int32Array(bound)): Int32Array {
  row.fill(-1);
  for (let i = ids.length - 1; i >= 0; i--) row[ids[i]] = i;
  return row;
}
