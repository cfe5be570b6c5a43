// Sparse × dense product for WebAssembly SIMD (f64x2 accumulators), compiled by scripts/build-wasm.mjs.
//
// y(rows×n) (+)= A · x with A in CSR (indptr, indices, values), x row-major with n columns; all pointers are
// byte offsets into this module's memory, laid out by src/tensor/kernels/wasm-spmm.ts.
//
// Summation order is part of the contract and equals the scalar JS kernel (spmmScalar) bit for bit: every
// y element is s = 0; for e in the row's entries in storage order: s = s + f64(v_e) · f64(x[c_e, j]) in
// float64 (the product of two floats is exact in float64; wasm never fuses multiply and add), then
// y = f32(s), or y = f32(f64(y) + s) when accumulating. Two columns share one f64x2 lane pair, which
// changes nothing per element.

export function heapBase(): usize {
  return __heap_base;
}

/**
 * The smallest and largest of `count` i32 column indices at `indices`, stored at out and out + 4 (a part of the
 * matrix often reads only a band of x's rows, so only that band is copied in). count ≥ 1.
 */
export function colRange(indices: usize, count: i32, out: usize): void {
  let lo = i32x4.splat(i32.MAX_VALUE), hi = i32x4.splat(i32.MIN_VALUE);
  let e = 0;
  for (; e + 4 <= count; e += 4) {
    const v = v128.load(indices + (<usize>e << 2));
    lo = i32x4.min_s(lo, v);
    hi = i32x4.max_s(hi, v);
  }
  let mn = min(min(i32x4.extract_lane(lo, 0), i32x4.extract_lane(lo, 1)), min(i32x4.extract_lane(lo, 2), i32x4.extract_lane(lo, 3)));
  let mx = max(max(i32x4.extract_lane(hi, 0), i32x4.extract_lane(hi, 1)), max(i32x4.extract_lane(hi, 2), i32x4.extract_lane(hi, 3)));
  for (; e < count; e++) {
    const c = load<i32>(indices + (<usize>e << 2));
    mn = min(mn, c);
    mx = max(mx, c);
  }
  store<i32>(out, mn);
  store<i32>(out + 4, mx);
}

// @ts-ignore: decorator
@inline
function lanes(x: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(x));
}

// @ts-ignore: decorator
@inline
function put(y: usize, s: v128, accumulate: bool): void {
  const r = accumulate ? f64x2.add(lanes(y), s) : s;
  v128.store64_lane(y, f32x4.demote_f64x2_zero(r), 0);
}

/**
 * Rows [0, rows) of y. indptr holds rows + 1 entry positions; `base` is subtracted from each (a row range
 * copied out of a larger matrix keeps its original positions). Row c of x is at x + c · n · 4 in modular
 * (wasm32) address arithmetic, so x may point below the copied band of rows.
 */
export function spmm(
  indptr: usize, indices: usize, values: usize, x: usize, y: usize,
  rows: i32, n: i32, base: i32, accumulate: bool,
): void {
  const rowBytes = <usize>n << 2;
  for (let i = 0; i < rows; i++) {
    const start = load<i32>(indptr + (<usize>i << 2)) - base;
    const end = load<i32>(indptr + (<usize>(i + 1) << 2)) - base;
    const yr = y + <usize>i * rowBytes;
    let j = 0;
    // 16 columns per pass over the row: 8 f64x2 accumulators, a splat and a product fit in the registers.
    for (; j + 16 <= n; j += 16) {
      let a0 = f64x2.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
      const col = <usize>j << 2;
      for (let e = start; e < end; e++) {
        const v = f64x2.splat(<f64>load<f32>(values + (<usize>e << 2)));
        const p = x + <usize>load<i32>(indices + (<usize>e << 2)) * rowBytes + col;
        a0 = f64x2.add(a0, f64x2.mul(v, lanes(p)));
        a1 = f64x2.add(a1, f64x2.mul(v, lanes(p + 8)));
        a2 = f64x2.add(a2, f64x2.mul(v, lanes(p + 16)));
        a3 = f64x2.add(a3, f64x2.mul(v, lanes(p + 24)));
        a4 = f64x2.add(a4, f64x2.mul(v, lanes(p + 32)));
        a5 = f64x2.add(a5, f64x2.mul(v, lanes(p + 40)));
        a6 = f64x2.add(a6, f64x2.mul(v, lanes(p + 48)));
        a7 = f64x2.add(a7, f64x2.mul(v, lanes(p + 56)));
      }
      const o = yr + col;
      put(o, a0, accumulate);
      put(o + 8, a1, accumulate);
      put(o + 16, a2, accumulate);
      put(o + 24, a3, accumulate);
      put(o + 32, a4, accumulate);
      put(o + 40, a5, accumulate);
      put(o + 48, a6, accumulate);
      put(o + 56, a7, accumulate);
    }
    for (; j + 2 <= n; j += 2) {
      let a0 = f64x2.splat(0);
      const col = <usize>j << 2;
      for (let e = start; e < end; e++) {
        const v = f64x2.splat(<f64>load<f32>(values + (<usize>e << 2)));
        a0 = f64x2.add(a0, f64x2.mul(v, lanes(x + <usize>load<i32>(indices + (<usize>e << 2)) * rowBytes + col)));
      }
      put(yr + col, a0, accumulate);
    }
    if (j < n) {
      let s: f64 = 0;
      const col = <usize>j << 2;
      for (let e = start; e < end; e++) {
        s += <f64>load<f32>(values + (<usize>e << 2)) * <f64>load<f32>(x + <usize>load<i32>(indices + (<usize>e << 2)) * rowBytes + col);
      }
      const o = yr + col;
      store<f32>(o, <f32>(accumulate ? <f64>load<f32>(o) + s : s));
    }
  }
}
