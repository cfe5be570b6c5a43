/**
 * Fixed shapes for WeightedGCL's contrastive term. Its node sets (the batch's unique users, unique positive
 * items) change size every step; the tape recycles only the buffers of the step just ended, keyed by length,
 * so varying sizes meant fresh shared buffers every step: an n² similarity matrix of ~40 MB per term whose
 * first touch (page faults) cost several times the GEMM that fills it, and memory the GC returned late
 * (9.6 GB peak RSS on Yelp). Here the sets are padded to a size that only grows, and the InfoNCE reads only
 * the real rows, so loss and gradients are those of the unpadded sets and the padding costs no n² work.
 */

/** n rounded up to a multiple of 2^(⌊log2 n⌋ − 3): at most 1/8 padding; small n unchanged. */
export function bucket(n: number): number {
  if (n <= 16) return n;
  const step = 2 ** (Math.floor(Math.log2(n)) - 3);
  return Math.ceil(n / step) * step;
}

/**
 * Padded row counts that never shrink: the largest bucket seen so far. After the first few steps every
 * step has the same shapes (the sets are at most a batch long), so the tape allocates nothing new.
 */
export function createGrowingSizer(): (n: number) => number {
  let cap = 0;
  return (n) => (cap = Math.max(cap, bucket(n)));
}

/** torch.unique (sorted distinct values) followed by copies of the first value up to `size` entries. */
export function paddedUnique(a: Int32Array, size: (n: number) => number): { ids: Int32Array; rows: number } {
  const s = Int32Array.from(a).sort();
  let w = 0;
  for (let k = 0; k < s.length; k++) if (k === 0 || s[k] !== s[k - 1]) s[w++] = s[k];
  const ids = new Int32Array(Math.max(w, size(w))).fill(w > 0 ? s[0] : 0);
  ids.set(s.subarray(0, w));
  return { ids, rows: w };
}
