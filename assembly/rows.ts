// The row softmax on WebAssembly SIMD, compiled by scripts/build-wasm.mjs. Pointers are byte offsets into this
// module's memory (src/tensor/kernels/wasm-rows.ts lays the arrays out).
//
// Bit-identical to softmaxRows in scalar-rows.ts: each double operation of its loops and of expFdlibm (fdlibm's
// __ieee754_exp, which V8's Math.exp is) in the same order, two lanes at a time. The branches of the C code
// become lane selects: every lane computes the reduced and the unreduced forms and keeps the one its branch
// would take. The row sum stays sequential (lane 0 then lane 1), as the JS loop adds. Arguments are
// v = scale·x − max ≤ 0, so only the underflow end of exp's special range can occur; a row with a NaN sets its
// sum to −1 and the caller recomputes it in JS.

export function heapBase(): usize {
  return __heap_base;
}

const P1 = 1.66666666666666019037e-1, P2 = -2.77777777770155933842e-3, P3 = 6.61375632143793436117e-5;
const P4 = -1.65339022054652515390e-6, P5 = 4.13813679705723846039e-8;
const LN2_HI = 6.93147180369123816490e-1, LN2_LO = 1.90821492927058770002e-10, INV_LN2 = 1.44269504088896338700;
/** fdlibm's u_threshold: below it exp underflows to 0. */
const U_THRESHOLD = -7.45133219101941108420e+2;

/** exp(v) of each lane as fdlibm computes it, for v ≤ 0 (NaN lanes give garbage; the caller checks). */
// @ts-ignore: decorator
@inline
function exp2(v: v128): v128 {
  const zero = f64x2.splat(0), one = f64x2.splat(1);
  const ax = f64x2.abs(v);
  // |x| < 2^−28: 1 + x; |x| ≤ ln2/2: k = 0, no reduction; |x| < 1.5 ln2: k = ±1; else k = (int)(x/ln2 ± 1/2).
  const tiny = f64x2.lt(ax, f64x2.splat(reinterpret<f64>(0x3e30000000000000)));
  const small = f64x2.lt(ax, f64x2.splat(reinterpret<f64>(0x3fd62e4300000000)));
  const near = f64x2.lt(ax, f64x2.splat(reinterpret<f64>(0x3ff0a2b200000000)));
  const neg = f64x2.lt(v, zero);
  const half = v128.bitselect(f64x2.splat(-0.5), f64x2.splat(0.5), neg);
  let k = f64x2.trunc(f64x2.add(f64x2.mul(f64x2.splat(INV_LN2), v), half));
  k = v128.bitselect(v128.bitselect(f64x2.splat(-1), one, neg), k, near);
  k = v128.bitselect(zero, k, small);
  // k = 0: hi = x − 0 and lo = 0, so r = x, the unreduced argument, exactly.
  const hi = f64x2.sub(v, f64x2.mul(k, f64x2.splat(LN2_HI)));
  const lo = f64x2.mul(k, f64x2.splat(LN2_LO));
  const r = f64x2.sub(hi, lo);
  const t = f64x2.mul(r, r);
  let p = f64x2.add(f64x2.splat(P4), f64x2.mul(t, f64x2.splat(P5)));
  p = f64x2.add(f64x2.splat(P3), f64x2.mul(t, p));
  p = f64x2.add(f64x2.splat(P2), f64x2.mul(t, p));
  p = f64x2.add(f64x2.splat(P1), f64x2.mul(t, p));
  const c = f64x2.sub(r, f64x2.mul(t, p));
  // fdlibm divides by c − 2 (k = 0) or by 2 − c: 2 − c = −(c − 2) and x/(−y) = −(x/y) exactly, so one quotient
  // q serves both: lo − x·c/(2 − c) = lo + q.
  const q = f64x2.div(f64x2.mul(r, c), f64x2.sub(c, f64x2.splat(2)));
  const y0 = f64x2.sub(one, f64x2.sub(q, r));
  const y1 = f64x2.sub(one, f64x2.sub(f64x2.add(lo, q), hi));
  // 2^k from its exponent bits; below k = −1021 fdlibm scales by 2^(k+1000) and then by 2^−1000.
  const deep = f64x2.lt(k, f64x2.splat(-1021));
  const kk = v128.bitselect(f64x2.add(k, f64x2.splat(1000)), k, deep);
  // kk + 1023 ∈ [0, 2046] is an integer: added to 2^52 it sits in the low mantissa bits, which the shift moves
  // into the exponent field (the magic number's own exponent bits fall off the top).
  const bits = i64x2.shl(f64x2.add(kk, f64x2.splat(1023 + 4503599627370496)), 52);
  let y = f64x2.mul(y1, bits);
  y = v128.bitselect(f64x2.mul(y, f64x2.splat(reinterpret<f64>(0x0170000000000000))), y, deep);
  y = v128.bitselect(y0, y, small);
  y = v128.bitselect(f64x2.add(one, v), y, tiny);
  return v128.bitselect(zero, y, f64x2.lt(v, f64x2.splat(U_THRESHOLD)));
}

// @ts-ignore: decorator
@inline
function pair(x: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(x));
}

/**
 * y[i, :] = softmax(scale · x[i, :]) for `rows` rows of `cols` floats; stats[2i] = the row's max of scale·x,
 * stats[2i+1] = its sum of exp (−1 when a NaN made the row irregular). x and y may be the same.
 */
export function softmaxRows(x: usize, y: usize, stats: usize, rows: i32, cols: i32, scale: f64): void {
  const sc = f64x2.splat(scale);
  const pairs = cols & ~1;
  for (let i = 0; i < rows; i++) {
    const xo = x + ((<usize>i * <usize>cols) << 2), yo = y + ((<usize>i * <usize>cols) << 2);
    // JS: if (v > mx) mx = v, from −∞: pmax keeps the same value (a NaN never replaces the max).
    let m2 = f64x2.splat(-Infinity);
    let j = 0;
    for (; j < pairs; j += 2) m2 = f64x2.pmax(m2, f64x2.mul(sc, pair(xo + (<usize>j << 2))));
    let mx = f64x2.extract_lane(m2, 0);
    const m1 = f64x2.extract_lane(m2, 1);
    if (m1 > mx) mx = m1;
    if (j < cols) {
      const v = scale * <f64>load<f32>(xo + (<usize>j << 2));
      if (v > mx) mx = v;
    }
    const mv = f64x2.splat(mx);
    let s = 0.0;
    let nan = f64x2.splat(0);
    for (j = 0; j < pairs; j += 2) {
      const v = f64x2.sub(f64x2.mul(sc, pair(xo + (<usize>j << 2))), mv);
      nan = v128.or(nan, f64x2.ne(v, v));
      const e = exp2(v);
      v128.store64_lane(yo + (<usize>j << 2), f32x4.demote_f64x2_zero(e), 0);
      s += f64x2.extract_lane(e, 0);
      s += f64x2.extract_lane(e, 1);
    }
    if (j < cols) {
      const v = f64x2.splat(scale * <f64>load<f32>(xo + (<usize>j << 2)) - mx);
      nan = v128.or(nan, f64x2.ne(v, v));
      const e = f64x2.extract_lane(exp2(v), 0);
      store<f32>(yo + (<usize>j << 2), <f32>e);
      s += e;
    }
    store<f64>(stats + (<usize>i << 4), mx);
    if (v128.any_true(nan)) {
      store<f64>(stats + (<usize>i << 4) + 8, -1);
      continue;
    }
    store<f64>(stats + (<usize>i << 4) + 8, s);
    const inv = f64x2.splat(1 / s);
    for (j = 0; j < pairs; j += 2) {
      const o = yo + (<usize>j << 2);
      v128.store64_lane(o, f32x4.demote_f64x2_zero(f64x2.mul(pair(o), inv)), 0);
    }
    if (j < cols) {
      const o = yo + (<usize>j << 2);
      store<f32>(o, <f32>(<f64>load<f32>(o) * (1 / s)));
    }
  }
}
