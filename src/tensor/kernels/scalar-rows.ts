import type { Arr } from '../tensor.js';
import { expFdlibm } from './exp-fdlibm.js';

/**
 * Row-wise kernels. Each handles rows [0, rows) independently, so the worker pool can hand out row ranges
 * by slicing, and every sum is float64 in increasing column order.
 */

export function addRowVector(x: Arr, v: Arr, out: Arr, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) out[o + j] = x[o + j] + v[j];
  }
}

/** Not row-parallel (every row adds into the same vector); the pool runs it on one thread. */
export function colSumsAdd(x: Arr, out: Arr, rows: number, cols: number): void {
  for (let j = 0; j < cols; j++) {
    let s = 0;
    for (let i = 0; i < rows; i++) s += x[i * cols + j];
    out[j] += s;
  }
}

export function sumRows(x: Arr, out: Arr, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += x[o + j];
    out[i] = s;
  }
}

export function addRowScalars(g: Arr, dx: Arr, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols, gi = g[i];
    for (let j = 0; j < cols; j++) dx[o + j] += gi;
  }
}

export function rowDot(x: Arr, y: Arr, out: Arr, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += x[o + j] * y[o + j];
    out[i] = s;
  }
}

export function rowScaleAdd(g: Arr, y: Arr, dx: Arr, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols, gi = g[i];
    for (let j = 0; j < cols; j++) dx[o + j] += gi * y[o + j];
  }
}

export function rowL2Normalize(x: Arr, y: Arr, s: Arr, rows: number, cols: number, eps: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let q = 0;
    for (let j = 0; j < cols; j++) q += x[o + j] * x[o + j];
    const norm = Math.sqrt(q + eps);
    s[i] = norm;
    const inv = 1 / norm;
    for (let j = 0; j < cols; j++) y[o + j] = x[o + j] * inv;
  }
}

export function rowL2NormalizeGrad(y: Arr, s: Arr, dy: Arr, dx: Arr, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let d = 0;
    for (let j = 0; j < cols; j++) d += y[o + j] * dy[o + j];
    const inv = 1 / s[i];
    for (let j = 0; j < cols; j++) dx[o + j] += (dy[o + j] - y[o + j] * d) * inv;
  }
}

export function logSumExpRows(x: Arr, out: Arr, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let mx = -Infinity;
    for (let j = 0; j < cols; j++) if (x[o + j] > mx) mx = x[o + j];
    if (mx === -Infinity || mx === Infinity) {
      out[i] = mx;
      continue;
    }
    let s = 0;
    for (let j = 0; j < cols; j++) s += Math.exp(x[o + j] - mx);
    out[i] = mx + Math.log(s);
  }
}

export function logSumExpRowsGrad(x: Arr, lse: Arr, dy: Arr, dx: Arr, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols, l = lse[i], g = dy[i];
    for (let j = 0; j < cols; j++) dx[o + j] += g * Math.exp(x[o + j] - l);
  }
}

export function softmaxRows(x: Arr, y: Arr, lse: Arr, rows: number, cols: number, scale: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let mx = -Infinity;
    for (let j = 0; j < cols; j++) {
      const v = scale * x[o + j];
      if (v > mx) mx = v;
    }
    let s = 0;
    for (let j = 0; j < cols; j++) {
      const e = expFdlibm(scale * x[o + j] - mx);
      y[o + j] = e;
      s += e;
    }
    const inv = 1 / s;
    for (let j = 0; j < cols; j++) y[o + j] *= inv;
    lse[i] = mx + Math.log(s);
  }
}

export function softmaxRowsGrad(y: Arr, dy: Arr, dx: Arr, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let d = 0;
    for (let j = 0; j < cols; j++) d += y[o + j] * dy[o + j];
    for (let j = 0; j < cols; j++) dx[o + j] += y[o + j] * (dy[o + j] - d);
  }
}

export function logSoftmaxRows(x: Arr, y: Arr, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let mx = -Infinity;
    for (let j = 0; j < cols; j++) if (x[o + j] > mx) mx = x[o + j];
    let s = 0;
    for (let j = 0; j < cols; j++) s += Math.exp(x[o + j] - mx);
    const lse = mx + Math.log(s);
    for (let j = 0; j < cols; j++) y[o + j] = x[o + j] - lse;
  }
}

export function logSoftmaxRowsGrad(y: Arr, dy: Arr, dx: Arr, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let g = 0;
    for (let j = 0; j < cols; j++) g += dy[o + j];
    for (let j = 0; j < cols; j++) dx[o + j] += dy[o + j] - Math.exp(y[o + j]) * g;
  }
}

export function copyCols(
  src: Arr, srcCols: number, srcOff: number,
  dst: Arr, dstCols: number, dstOff: number,
  rows: number, width: number, accumulate: boolean,
): void {
  for (let i = 0; i < rows; i++) {
    const so = i * srcCols + srcOff, d = i * dstCols + dstOff;
    if (accumulate) for (let j = 0; j < width; j++) dst[d + j] += src[so + j];
    else for (let j = 0; j < width; j++) dst[d + j] = src[so + j];
  }
}

export function sum(x: Arr, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i];
  return s;
}

export function sumSquares(x: Arr, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] * x[i];
  return s;
}

/** softplus(x) = log(1 + e^x), written so neither branch overflows. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function sigmoidOf(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * u·q − u·p of the rows at offsets uo, po, qo (two dot products, as the PyTorch code computes them); the
 * gathered kernels pass one offset for all three, the fused ones read the embedding tables in place.
 */
function bprMargin(u: Arr, p: Arr, q: Arr, uo: number, po: number, qo: number, cols: number): number {
  let pos = 0, neg = 0;
  for (let j = 0; j < cols; j++) {
    pos += u[uo + j] * p[po + j];
    neg += u[uo + j] * q[qo + j];
  }
  return neg - pos;
}

/**
 * bprLoss of the rows users[ui[i]], items[pi[i]], items[qi[i]] without gathering them: the same float64 values
 * summed in the same order as gatherRows × 3 + bprLoss.
 */
export function bprLossRows(users: Arr, items: Arr, ui: Int32Array, pi: Int32Array, qi: Int32Array, cols: number): number {
  const rows = ui.length;
  if (rows === 0) return 0;
  let s = 0;
  for (let i = 0; i < rows; i++) s += softplus(bprMargin(users, items, items, ui[i] * cols, pi[i] * cols, qi[i] * cols, cols));
  return s / rows;
}

/** bprLossRows' per-row terms for rows [lo, hi) (the pool computes them in parallel and sums them in order). */
export function bprRowsTerms(
  users: Arr, items: Arr, ui: Int32Array, pi: Int32Array, qi: Int32Array, cols: number, terms: Float64Array, lo: number, hi: number,
): void {
  for (let i = lo; i < hi; i++) terms[i] = softplus(bprMargin(users, items, items, ui[i] * cols, pi[i] * cols, qi[i] * cols, cols));
}

/** The per-row gradient weights (g / rows) · σ(margin) of rows [lo, hi), as bprLossGradRows computes them. */
export function bprRowsWeights(
  users: Arr, items: Arr, ui: Int32Array, pi: Int32Array, qi: Int32Array, cols: number, g: number, w: Float64Array, lo: number, hi: number,
): void {
  const rows = ui.length;
  for (let i = lo; i < hi; i++) w[i] = (g / rows) * sigmoidOf(bprMargin(users, items, items, ui[i] * cols, pi[i] * cols, qi[i] * cols, cols));
}

/**
 * The gradient of g · bprLossRows added into dUsers / dItems (null: skipped), for the destination rows
 * [lo, hi) of the stacked (users ⊕ items) range, from the weights of bprRowsWeights. It reproduces the unfused
 * chain exactly: bprLossGrad writes each row's du, dp, dq into zeroed float32 buffers (0 + x, rounded), then
 * the gathers' backward scatter-adds them in reverse recording order: negatives, positives, users, each in
 * increasing i. A thread owning a row range applies the same additions to its rows in the same order.
 */
export function bprRowsScatter(
  users: Arr, items: Arr, ui: Int32Array, pi: Int32Array, qi: Int32Array, cols: number, w: Float64Array,
  dUsers: Arr | null, dItems: Arr | null, numUsers: number, lo: number, hi: number,
): void {
  const rows = ui.length;
  // The unfused du, dp, dq buffers have the gradients' precision: float32 rounds each value once.
  const f32 = (dItems ?? dUsers) instanceof Float32Array;
  if (dItems !== null && hi > numUsers) {
    const ilo = Math.max(lo, numUsers) - numUsers, ihi = hi - numUsers;
    for (let i = 0; i < rows; i++) {
      const r = qi[i];
      if (r < ilo || r >= ihi) continue;
      const uo = ui[i] * cols, d = r * cols, wi = w[i];
      for (let j = 0; j < cols; j++) {
        const v = 0 + wi * users[uo + j];
        dItems[d + j] += f32 ? Math.fround(v) : v;
      }
    }
    for (let i = 0; i < rows; i++) {
      const r = pi[i];
      if (r < ilo || r >= ihi) continue;
      const uo = ui[i] * cols, d = r * cols, wi = w[i];
      for (let j = 0; j < cols; j++) {
        const v = 0 - wi * users[uo + j];
        dItems[d + j] += f32 ? Math.fround(v) : v;
      }
    }
  }
  if (dUsers !== null && lo < numUsers) {
    const uhi = Math.min(hi, numUsers);
    for (let i = 0; i < rows; i++) {
      const r = ui[i];
      if (r < lo || r >= uhi) continue;
      const po = pi[i] * cols, qo = qi[i] * cols, d = r * cols, wi = w[i];
      for (let j = 0; j < cols; j++) {
        const v = 0 + wi * (items[qo + j] - items[po + j]);
        dUsers[d + j] += f32 ? Math.fround(v) : v;
      }
    }
  }
}

let weights = new Float64Array(0);

/** bprRowsWeights then bprRowsScatter over all rows, on the calling thread (grow-only weight scratch). */
export function bprLossRowsGrad(
  users: Arr, items: Arr, ui: Int32Array, pi: Int32Array, qi: Int32Array, cols: number, g: number,
  dUsers: Arr | null, dItems: Arr | null,
): void {
  if (weights.length < ui.length) weights = new Float64Array(ui.length);
  bprRowsWeights(users, items, ui, pi, qi, cols, g, weights, 0, ui.length);
  const numUsers = cols === 0 ? 0 : Math.floor(users.length / cols), numItems = cols === 0 ? 0 : Math.floor(items.length / cols);
  bprRowsScatter(users, items, ui, pi, qi, cols, weights, dUsers, dItems, numUsers, 0, numUsers + numItems);
}

/**
 * terms[i] = softplus(u·q − u·p) of row i for rows [lo, hi): bprLoss's per-row terms, which the pool computes
 * in parallel and then sums in row order, as bprLoss does (the same float64 values in the same order).
 */
export function bprTermsRows(u: Arr, p: Arr, q: Arr, cols: number, terms: Float64Array, lo: number, hi: number): void {
  for (let i = lo; i < hi; i++) terms[i] = softplus(bprMargin(u, p, q, i * cols, i * cols, i * cols, cols));
}

export function bprLoss(u: Arr, p: Arr, q: Arr, rows: number, cols: number): number {
  if (rows === 0) return 0;
  let s = 0;
  for (let i = 0; i < rows; i++) s += softplus(bprMargin(u, p, q, i * cols, i * cols, i * cols, cols));
  return s / rows;
}

export function bprLossGrad(
  u: Arr, p: Arr, q: Arr, rows: number, cols: number, g: number,
  du: Arr | null, dp: Arr | null, dq: Arr | null,
): void {
  bprLossGradRows(u, p, q, rows, cols, g, du, dp, dq, 0, rows);
}

/** bprLossGrad for rows [lo, hi) of a `rows`-row batch (rows are independent; the pool splits them). */
export function bprLossGradRows(
  u: Arr, p: Arr, q: Arr, rows: number, cols: number, g: number,
  du: Arr | null, dp: Arr | null, dq: Arr | null, lo: number, hi: number,
): void {
  for (let i = lo; i < hi; i++) {
    const o = i * cols;
    const w = (g / rows) * sigmoidOf(bprMargin(u, p, q, o, o, o, cols));
    for (let j = 0; j < cols; j++) {
      const uj = u[o + j];
      if (du !== null) du[o + j] += w * (q[o + j] - p[o + j]);
      if (dp !== null) dp[o + j] -= w * uj;
      if (dq !== null) dq[o + j] += w * uj;
    }
  }
}
