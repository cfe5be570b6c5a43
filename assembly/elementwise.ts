// Elementwise kernels on WebAssembly SIMD, compiled by scripts/build-wasm.mjs. Pointers are byte offsets into
// this module's memory (src/tensor/kernels/wasm-elementwise.ts lays the arrays out).
//
// Bit-identical to the JS kernels in scalar-elementwise.ts:
// - addMany: out = ((x0 + x1) + x2) + …, each partial sum rounded to float32. f32x4.add is the IEEE float32
//   add, which equals JS's float64 add rounded to float32 (double rounding is innocuous for + when the wide
//   format has ≥ 2·24 + 2 bits).
// - axpy: y = f32(f64(y) + alpha · f64(x)) in float64, as `y[i] += alpha * x[i]` on a Float32Array (wasm
//   never fuses the multiply and the add).
// - leakyRelu / leakyReluGrad: the JS ternary as a lane select, the slope product and the accumulation in
//   float64.

export function heapBase(): usize {
  return __heap_base;
}

// @ts-ignore: decorator
@inline
function lanes(x: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(x));
}

/** out = x0 + … + x(m−1) for m ≥ 2; `xs` holds m pointers (i32). */
export function addMany(out: usize, xs: usize, m: i32, n: i32): void {
  const a = <usize>load<i32>(xs), b = <usize>load<i32>(xs + 4);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    let s = f32x4.add(v128.load(a + o), v128.load(b + o));
    for (let k = 2; k < m; k++) s = f32x4.add(s, v128.load(<usize>load<i32>(xs + (<usize>k << 2)) + o));
    v128.store(out + o, s);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let s = load<f32>(a + o) + load<f32>(b + o);
    for (let k = 2; k < m; k++) s += load<f32>(<usize>load<i32>(xs + (<usize>k << 2)) + o);
    store<f32>(out + o, s);
  }
}

/** y += alpha · x */
export function axpy(alpha: f64, x: usize, y: usize, n: i32): void {
  const al = f64x2.splat(alpha);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 2;
    v128.store64_lane(y + o, f32x4.demote_f64x2_zero(f64x2.add(lanes(y + o), f64x2.mul(al, lanes(x + o)))), 0);
  }
  if (i < n) {
    const o = <usize>i << 2;
    store<f32>(y + o, <f32>(<f64>load<f32>(y + o) + alpha * <f64>load<f32>(x + o)));
  }
}

/** y = x > 0 ? x : slope · x, the product in float64 (as the JS kernel); branch-free, so random signs cost nothing. */
export function leakyRelu(x: usize, y: usize, n: i32, slope: f64): void {
  const sl = f64x2.splat(slope), zero = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 2, v = lanes(x + o);
    v128.store64_lane(y + o, f32x4.demote_f64x2_zero(v128.bitselect(v, f64x2.mul(sl, v), f64x2.gt(v, zero))), 0);
  }
  if (i < n) {
    const o = <usize>i << 2, v = <f64>load<f32>(x + o);
    store<f32>(y + o, <f32>(v > 0 ? v : slope * v));
  }
}

/** dx += x > 0 ? dy : slope · dy, in float64 as the JS kernel. */
export function leakyReluGrad(x: usize, dy: usize, dx: usize, n: i32, slope: f64): void {
  const sl = f64x2.splat(slope), zero = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 2, g = lanes(dy + o);
    const d = v128.bitselect(g, f64x2.mul(sl, g), f64x2.gt(lanes(x + o), zero));
    v128.store64_lane(dx + o, f32x4.demote_f64x2_zero(f64x2.add(lanes(dx + o), d)), 0);
  }
  if (i < n) {
    const o = <usize>i << 2, g = <f64>load<f32>(dy + o);
    store<f32>(dx + o, <f32>(<f64>load<f32>(dx + o) + (<f64>load<f32>(x + o) > 0 ? g : slope * g)));
  }
}
