/**
 * Small dense float64 matrices for the linear-algebra routines (QR, SVD). Row-major, so a row is one
 * contiguous slice: the sparse products stream rows, and every loop below runs along rows.
 *
 * float64 on purpose: power iterations and Gram matrices square condition numbers, and these routines
 * run a handful of times per fit, so the memory cost (n × k doubles) is small next to the accuracy gained.
 */
export interface Mat {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function zeros(rows: number, cols: number): Mat {
  return { rows, cols, data: new Float64Array(rows * cols) };
}

export function fromRows(rows: readonly (readonly number[])[]): Mat {
  const m = zeros(rows.length, rows.length ? rows[0].length : 0);
  rows.forEach((r, i) => {
    if (r.length !== m.cols) throw new RangeError(`fromRows: row ${i} has ${r.length} values, expected ${m.cols}`);
    m.data.set(r, i * m.cols);
  });
  return m;
}

export function transposeMat(a: Mat): Mat {
  const t = zeros(a.cols, a.rows);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) t.data[j * a.rows + i] = a.data[i * a.cols + j];
  return t;
}

/** The first `cols` columns of `a`. */
export function leadingColumns(a: Mat, cols: number): Mat {
  if (cols > a.cols) throw new RangeError(`leadingColumns: ${cols} > ${a.cols}`);
  const out = zeros(a.rows, cols);
  for (let i = 0; i < a.rows; i++) out.data.set(a.data.subarray(i * a.cols, i * a.cols + cols), i * cols);
  return out;
}

/**
 * C = A B. Each output row is a combination of rows of B; four of them are folded per pass, so a row of C
 * is loaded and stored once per four multiply-adds (the loop is store-bound otherwise).
 */
export function matmul(a: Mat, b: Mat): Mat {
  if (a.cols !== b.rows) throw new RangeError(`matmul: ${a.rows}x${a.cols} times ${b.rows}x${b.cols}`);
  const m = a.rows, k = a.cols, n = b.cols;
  const c = zeros(m, n);
  const A = a.data, B = b.data, C = c.data;
  for (let i = 0; i < m; i++) {
    const ci = i * n, ai = i * k;
    let l = 0;
    for (; l + 4 <= k; l += 4) {
      const s0 = A[ai + l], s1 = A[ai + l + 1], s2 = A[ai + l + 2], s3 = A[ai + l + 3];
      const b0 = l * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
      for (let j = 0; j < n; j++) C[ci + j] += s0 * B[b0 + j] + s1 * B[b1 + j] + s2 * B[b2 + j] + s3 * B[b3 + j];
    }
    for (; l < k; l++) {
      const s = A[ai + l], bl = l * n;
      for (let j = 0; j < n; j++) C[ci + j] += s * B[bl + j];
    }
  }
  return c;
}

/**
 * G = AᵀA (cols × cols, symmetric). Four rows of A per pass over G, so G (which fits in cache for the
 * k ≤ a few hundred used here) is read and written a quarter as often as in a row-at-a-time update.
 */
export function gram(a: Mat): Mat {
  const m = a.rows, k = a.cols;
  const g = zeros(k, k);
  const A = a.data, G = g.data;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const r0 = i * k, r1 = r0 + k, r2 = r1 + k, r3 = r2 + k;
    for (let p = 0; p < k; p++) {
      const a0 = A[r0 + p], a1 = A[r1 + p], a2 = A[r2 + p], a3 = A[r3 + p];
      const gp = p * k;
      for (let q = p; q < k; q++) G[gp + q] += a0 * A[r0 + q] + a1 * A[r1 + q] + a2 * A[r2 + q] + a3 * A[r3 + q];
    }
  }
  for (; i < m; i++) {
    const r0 = i * k;
    for (let p = 0; p < k; p++) {
      const a0 = A[r0 + p];
      const gp = p * k;
      for (let q = p; q < k; q++) G[gp + q] += a0 * A[r0 + q];
    }
  }
  for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) G[q * k + p] = G[p * k + q];
  return g;
}

/** Frobenius norm. */
export function frobenius(a: Mat): number {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += a.data[i] * a.data[i];
  return Math.sqrt(s);
}
