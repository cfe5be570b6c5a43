/**
 * Top-K selection over one row of scores without sorting the row: a bounded min-heap of size K whose
 * root is the current K-th best, so each of the n items costs one comparison against the root unless it
 * enters the heap (O(n + m log K) for m insertions, m ≪ n on real score rows).
 *
 * Order: higher score first; equal scores go to the lower item id, so the result is a pure function of
 * the scores (no dependence on chunking or on the heap's history).
 * NaN scores are treated as -Infinity: a NaN item ranks with the -Infinity items (by id) and never above a
 * finite score. Excluded items (the user's training items) are never returned. If fewer than K candidates
 * remain, all candidates are returned, sorted.
 */

/**
 * Reusable heap storage for `topKInto`, sized for one K, so ranking thousands of rows allocates nothing.
 */
export interface TopKWork {
  readonly k: number;
  readonly scores: Float32Array;
  readonly ids: Int32Array;
}

export function createTopKWork(k: number): TopKWork {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`topK: k must be a non-negative integer, got ${k}`);
  return { k, scores: new Float32Array(k), ids: new Int32Array(k) };
}

/**
 * Top-K item ids of `scores[0..n)`, best first, skipping the ids in `exclude` (sorted ascending).
 * Returns a new Int32Array of length min(k, number of candidates).
 */
export function topK(scores: Float32Array, n: number, k: number, exclude?: Int32Array): Int32Array {
  const work = createTopKWork(Math.min(k, n));
  const out = new Int32Array(work.k);
  const m = topKInto(scores, 0, n, exclude, work, out);
  return m === out.length ? out : out.slice(0, m);
}

/**
 * Allocation-free form: ranks `scores[offset .. offset+n)` into `out` (length ≥ work.k), returns how many
 * ids were written (min(work.k, candidates)). `offset` lets the evaluator rank rows of a chunk in place.
 */
export function topKInto(
  scores: Float32Array,
  offset: number,
  n: number,
  exclude: Int32Array | undefined,
  work: TopKWork,
  out: Int32Array,
): number {
  const k = work.k;
  if (k === 0 || n === 0) return 0;
  if (offset + n > scores.length) throw new RangeError(`topK: row [${offset}, ${offset + n}) exceeds scores length ${scores.length}`);
  if (out.length < k) throw new RangeError(`topK: out has length ${out.length} < k = ${k}`);
  const hs = work.scores, hi = work.ids;
  const ex = exclude ?? EMPTY;
  let e = 0, size = 0, i = 0;
  // Fill phase: the first k candidates, stored as-is, then heapified once.
  for (; i < n && size < k; i++) {
    while (e < ex.length && ex[e] < i) e++;
    if (e < ex.length && ex[e] === i) continue;
    const s = scores[offset + i];
    hs[size] = s === s ? s : -Infinity;
    hi[size] = i;
    size++;
  }
  if (size === k) {
    for (let p = (k >> 1) - 1; p >= 0; p--) siftDown(hs, hi, k, p);
    // Scan phase. Items arrive in ascending id, so every heap member has a lower id than item i and an
    // equal score never displaces the root: one strict comparison decides. NaN > x is false, so NaN
    // items are dropped here, consistent with ranking them as -Infinity behind lower ids.
    let root = hs[0];
    for (; i < n; i++) {
      const s = scores[offset + i];
      if (s > root) {
        while (e < ex.length && ex[e] < i) e++;
        if (e < ex.length && ex[e] === i) continue;
        hs[0] = s;
        hi[0] = i;
        siftDown(hs, hi, k, 0);
        root = hs[0];
      }
    }
  }
  // Pop the worst element to the back repeatedly: the array ends sorted best-first.
  for (let p = (size >> 1) - 1; p >= 0; p--) siftDown(hs, hi, size, p);
  for (let last = size - 1; last > 0; last--) {
    const ts = hs[0], ti = hi[0];
    hs[0] = hs[last]; hi[0] = hi[last];
    hs[last] = ts; hi[last] = ti;
    siftDown(hs, hi, last, 0);
  }
  for (let r = 0; r < size; r++) out[r] = hi[r];
  return size;
}

const EMPTY = new Int32Array(0);

/**
 * topKInto for rows [lo, hi) of a users.length × n score block: row r ranks scores[r·n ..) excluding the
 * sorted ids exclIndices[exclIndptr[u] .. exclIndptr[u + 1]) of its user u = users[r] (the user's training
 * items), writes its ids to out[r·stride ..] and their number to counts[r]. Rows are independent, so any
 * split of [0, users.length) gives the same output.
 */
export function topKRowsRange(
  scores: Float32Array, n: number, users: Int32Array, exclIndptr: Int32Array, exclIndices: Int32Array,
  work: TopKWork, out: Int32Array, stride: number, counts: Int32Array, lo: number, hi: number,
): void {
  if (stride < work.k) throw new RangeError(`topKRows: stride ${stride} < k = ${work.k}`);
  for (let r = lo; r < hi; r++) {
    const u = users[r];
    const ex = exclIndices.subarray(exclIndptr[u], exclIndptr[u + 1]);
    counts[r] = topKInto(scores, r * n, n, ex, work, out.subarray(r * stride, r * stride + stride));
  }
}

let rowsWork: TopKWork = createTopKWork(0);

/** topKRowsRange over all rows with a heap kept per thread (the kernel tables' topKRows). */
export function topKRows(
  scores: Float32Array, n: number, k: number, users: Int32Array, exclIndptr: Int32Array, exclIndices: Int32Array,
  out: Int32Array, stride: number, counts: Int32Array, lo = 0, hi = users.length,
): void {
  if (rowsWork.k !== k) rowsWork = createTopKWork(k);
  topKRowsRange(scores, n, users, exclIndptr, exclIndices, rowsWork, out, stride, counts, lo, hi);
}

/** a is worse than b: lower score, or equal score and higher id. The heap root is the worst kept item. */
function worse(sa: number, ia: number, sb: number, ib: number): boolean {
  return sa < sb || (sa === sb && ia > ib);
}

function siftDown(hs: Float32Array, hi: Int32Array, size: number, p: number): void {
  const s = hs[p], id = hi[p];
  for (;;) {
    const l = 2 * p + 1;
    if (l >= size) break;
    let c = l;
    const r = l + 1;
    if (r < size && worse(hs[r], hi[r], hs[l], hi[l])) c = r;
    if (!worse(hs[c], hi[c], s, id)) break;
    hs[p] = hs[c];
    hi[p] = hi[c];
    p = c;
  }
  hs[p] = s;
  hi[p] = id;
}
