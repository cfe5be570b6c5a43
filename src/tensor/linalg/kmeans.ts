import type { Rng } from '../../util/rng.js';
import { scalarKernels } from '../kernels/scalar.js';
import type { GemmFn } from '../kernels/types.js';
import { type Mat, sharedF32 } from '../tensor.js';

/**
 * k-means (Lloyd) with k-means++ seeding, and the nearest-codeword search it and residual quantization share.
 * Squared distances are ‖x‖² − 2 x·c + ‖c‖², the dot products as one GEMM per block of rows (so a wasm or
 * threaded GEMM does the heavy part); ties go to the lowest centroid index, so results depend only on the
 * inputs, the seed stream and the GEMM's sums.
 */

export interface KMeansOptions {
  /** Lloyd iterations after seeding (stops early when no assignment changes). */
  readonly iterations: number;
  readonly rng: Rng;
  /** Defaults to the scalar reference GEMM. */
  readonly gemm?: GemmFn;
}

export interface KMeansResult {
  /** k × d. */
  readonly centroids: Mat;
  /** Index of each row's centroid. */
  readonly assign: Int32Array;
  /** Σ squared distance of every row to its centroid (after the last assignment). */
  readonly inertia: number;
  /** Lloyd iterations run. */
  readonly iterations: number;
}

const BLOCK = 1024;

/**
 * For every row of x the index of the nearest row of c (squared Euclidean), written into `assign`; the
 * squared distances go into `dist` when given. Returns their sum.
 */
export function nearestRows(x: Mat, c: Mat, assign: Int32Array, dist?: Float32Array, gemm: GemmFn = scalarKernels.gemm): number {
  const n = x.rows, d = x.cols, k = c.rows;
  if (c.cols !== d) throw new RangeError(`nearestRows: rows have ${d} columns, centroids ${c.cols}`);
  if (k === 0) throw new RangeError('nearestRows: no centroids');
  const cn = rowSquares(c), dots = sharedF32(Math.min(BLOCK, n) * k), xs = c.data;
  let total = 0;
  for (let r0 = 0; r0 < n; r0 += BLOCK) {
    const m = Math.min(BLOCK, n - r0);
    gemm(x.data.subarray(r0 * d, (r0 + m) * d), xs, dots, m, d, k, false, true, false);
    for (let r = 0; r < m; r++) {
      let best = 0, bestD = Infinity;
      for (let j = 0; j < k; j++) {
        const v = cn[j] - 2 * dots[r * k + j];
        if (v < bestD) {
          bestD = v;
          best = j;
        }
      }
      let xn = 0;
      for (let q = (r0 + r) * d, e = q + d; q < e; q++) xn += x.data[q] * x.data[q];
      const sq = Math.max(0, xn + bestD);
      assign[r0 + r] = best;
      if (dist) dist[r0 + r] = sq;
      total += sq;
    }
  }
  return total;
}

/**
 * k clusters of the rows of x. With n ≤ k rows every row is its own centroid and the remaining centroids
 * repeat rows drawn from the stream. An emptied cluster takes the row farthest from its centroid.
 */
export function kmeans(x: Mat, k: number, opts: KMeansOptions): KMeansResult {
  const n = x.rows, d = x.cols, gemm = opts.gemm ?? scalarKernels.gemm;
  if (!(Number.isInteger(k) && k > 0)) throw new RangeError(`kmeans: k must be a positive integer, got ${k}`);
  if (n === 0) throw new RangeError('kmeans: no rows');
  const centroids: Mat = { rows: k, cols: d, data: sharedF32(k * d) };
  const assign = new Int32Array(n), dist = new Float32Array(n);
  if (n <= k) {
    for (let j = 0; j < k; j++) copyRow(x, j < n ? j : opts.rng.int(n), centroids, j);
    const inertia = nearestRows(x, centroids, assign, dist, gemm);
    return { centroids, assign, inertia, iterations: 0 };
  }
  seedPlusPlus(x, centroids, opts.rng);
  let inertia = nearestRows(x, centroids, assign, dist, gemm), it = 0;
  const sums = new Float64Array(k * d), counts = new Int32Array(k), prev = new Int32Array(n);
  while (it < opts.iterations) {
    it++;
    sums.fill(0);
    counts.fill(0);
    for (let r = 0; r < n; r++) {
      const j = assign[r];
      counts[j]++;
      for (let q = 0; q < d; q++) sums[j * d + q] += x.data[r * d + q];
    }
    for (let j = 0; j < k; j++) {
      if (counts[j] === 0) {
        // Re-seed an empty cluster with the worst-served row; zero its distance so the next one picks another.
        let far = 0;
        for (let r = 1; r < n; r++) if (dist[r] > dist[far]) far = r;
        copyRow(x, far, centroids, j);
        dist[far] = 0;
        continue;
      }
      for (let q = 0; q < d; q++) centroids.data[j * d + q] = sums[j * d + q] / counts[j];
    }
    prev.set(assign);
    inertia = nearestRows(x, centroids, assign, dist, gemm);
    let changed = false;
    for (let r = 0; r < n && !changed; r++) changed = prev[r] !== assign[r];
    if (!changed) break;
  }
  return { centroids, assign, inertia, iterations: it };
}

/** k-means++ (Arthur & Vassilvitskii 2007): each next centroid drawn with probability ∝ D(x)². */
function seedPlusPlus(x: Mat, c: Mat, rng: Rng): void {
  const n = x.rows, d = x.cols, k = c.rows;
  const best = new Float64Array(n).fill(Infinity);
  copyRow(x, rng.int(n), c, 0);
  for (let j = 1; j < k; j++) {
    let total = 0;
    const prev = (j - 1) * d;
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let q = 0; q < d; q++) {
        const v = x.data[r * d + q] - c.data[prev + q];
        s += v * v;
      }
      if (s < best[r]) best[r] = s;
      total += best[r];
    }
    let pick: number;
    if (total > 0) {
      let target = rng.next() * total;
      pick = n - 1;
      for (let r = 0; r < n; r++) {
        target -= best[r];
        if (target < 0) {
          pick = r;
          break;
        }
      }
    } else {
      pick = rng.int(n); // every row coincides with a centroid already
    }
    copyRow(x, pick, c, j);
  }
}

function rowSquares(m: Mat): Float64Array {
  const out = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let q = r * m.cols, e = q + m.cols; q < e; q++) s += m.data[q] * m.data[q];
    out[r] = s;
  }
  return out;
}

function copyRow(src: Mat, r: number, dst: Mat, j: number): void {
  dst.data.set(src.data.subarray(r * src.cols, (r + 1) * src.cols), j * dst.cols);
}
