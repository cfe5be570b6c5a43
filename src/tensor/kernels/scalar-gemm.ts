import type { Arr } from '../tensor.js';

/**
 * Reference GEMM in plain JS. Both operands are first packed into float64 "NT" form (rows of op(A) and
 * columns of op(B) contiguous), so the inner kernel sees one array type and every C entry is one dot product
 * summed in float64 in increasing p, whatever the shapes or transposes. That makes a C row's value
 * independent of which other rows are computed with it — the worker pool relies on this for bit-identical
 * results at any thread count. A is packed in panels of PANEL rows so a 4096 × 4096 operand does not need a
 * second full-size copy.
 */
const PANEL = 64;
let packA = new Float64Array(0);
let packB = new Float64Array(0);

export function gemmScalar(
  a: Arr, b: Arr, c: Arr,
  m: number, k: number, n: number,
  transA: boolean, transB: boolean, accumulate: boolean,
): void {
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (!accumulate) c.fill(0, 0, m * n);
    return;
  }
  if (packB.length < n * k) packB = new Float64Array(n * k);
  const bt = packB;
  if (transB) {
    for (let t = 0; t < n * k; t++) bt[t] = b[t];
  } else {
    for (let p = 0; p < k; p++) {
      const row = p * n;
      for (let j = 0; j < n; j++) bt[j * k + p] = b[row + j];
    }
  }
  if (packA.length < PANEL * k) packA = new Float64Array(PANEL * k);
  const ap = packA;
  for (let i0 = 0; i0 < m; i0 += PANEL) {
    const rows = Math.min(PANEL, m - i0);
    if (transA) {
      for (let r = 0; r < rows; r++) {
        const dst = r * k, col = i0 + r;
        for (let p = 0; p < k; p++) ap[dst + p] = a[p * m + col];
      }
    } else {
      const src = i0 * k;
      for (let t = 0; t < rows * k; t++) ap[t] = a[src + t];
    }
    dotPanel(ap, bt, c, rows, k, n, i0 * n, accumulate);
  }
}

/** C[off + r·n + j] (+)= ap[r, :] · bt[j, :], in 4 × 2 register blocks. */
function dotPanel(ap: Float64Array, bt: Float64Array, c: Arr, rows: number, k: number, n: number, off: number, acc: boolean): void {
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const a0 = r * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    const o0 = off + r * n, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n;
    let j = 0;
    for (; j + 2 <= n; j += 2) {
      const b0 = j * k, b1 = b0 + k;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = bt[b0 + p], x1 = bt[b1 + p];
        const y0 = ap[a0 + p], y1 = ap[a1 + p], y2 = ap[a2 + p], y3 = ap[a3 + p];
        s00 += y0 * x0; s01 += y0 * x1;
        s10 += y1 * x0; s11 += y1 * x1;
        s20 += y2 * x0; s21 += y2 * x1;
        s30 += y3 * x0; s31 += y3 * x1;
      }
      if (acc) {
        c[o0 + j] += s00; c[o0 + j + 1] += s01; c[o1 + j] += s10; c[o1 + j + 1] += s11;
        c[o2 + j] += s20; c[o2 + j + 1] += s21; c[o3 + j] += s30; c[o3 + j + 1] += s31;
      } else {
        c[o0 + j] = s00; c[o0 + j + 1] = s01; c[o1 + j] = s10; c[o1 + j + 1] = s11;
        c[o2 + j] = s20; c[o2 + j + 1] = s21; c[o3 + j] = s30; c[o3 + j + 1] = s31;
      }
    }
    for (; j < n; j++) {
      dotOne(ap, a0, bt, j * k, k, c, o0 + j, acc);
      dotOne(ap, a1, bt, j * k, k, c, o1 + j, acc);
      dotOne(ap, a2, bt, j * k, k, c, o2 + j, acc);
      dotOne(ap, a3, bt, j * k, k, c, o3 + j, acc);
    }
  }
  for (; r < rows; r++) {
    for (let j = 0; j < n; j++) dotOne(ap, r * k, bt, j * k, k, c, off + r * n + j, acc);
  }
}

function dotOne(ap: Float64Array, ao: number, bt: Float64Array, bo: number, k: number, c: Arr, o: number, acc: boolean): void {
  let s = 0;
  for (let p = 0; p < k; p++) s += ap[ao + p] * bt[bo + p];
  if (acc) c[o] += s; else c[o] = s;
}
