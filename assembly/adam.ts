// One PyTorch Adam step on WebAssembly SIMD (f64x2), compiled by scripts/build-wasm.mjs. Pointers are byte
// offsets into this module's memory (src/tensor/kernels/wasm-adam.ts lays the arrays out).
//
// Bit-identical to adamF32 in scalar-elementwise.ts: per element, in float64,
//   g = grad (+ wd · param);  m = f32(β1·m + (1−β1)·g);  v = f32(β2·v + ((1−β2)·g)·g)
//   param = f32(param − (step · m) / (sqrt(v) / bc2 + eps))
// Every operation is an IEEE float64 operation (wasm never fuses), two elements per instruction.

export function heapBase(): usize {
  return __heap_base;
}

// @ts-ignore: decorator
@inline
function lanes(x: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(x));
}

// @ts-ignore: decorator
@inline
function put(x: usize, v: v128): void {
  v128.store64_lane(x, f32x4.demote_f64x2_zero(v), 0);
}

export function adam(
  param: usize, grad: usize, m: usize, v: usize, n: i32,
  beta1: f64, beta2: f64, stepSize: f64, bc2Sqrt: f64, eps: f64, weightDecay: f64,
): void {
  const b1 = f64x2.splat(beta1), b2 = f64x2.splat(beta2), c1 = f64x2.splat(1 - beta1), c2 = f64x2.splat(1 - beta2);
  const step = f64x2.splat(stepSize), bc2 = f64x2.splat(bc2Sqrt), ep = f64x2.splat(eps), wd = f64x2.splat(weightDecay);
  const decay = weightDecay != 0;
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = <usize>i << 2;
    const p = lanes(param + o);
    let g = lanes(grad + o);
    if (decay) g = f64x2.add(g, f64x2.mul(wd, p));
    // Round the moments to float32 and back, as storing them does in JS (Math.fround).
    const mi = f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(f64x2.add(f64x2.mul(b1, lanes(m + o)), f64x2.mul(c1, g))));
    const vi = f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(f64x2.add(f64x2.mul(b2, lanes(v + o)), f64x2.mul(f64x2.mul(c2, g), g))));
    put(m + o, mi);
    put(v + o, vi);
    put(param + o, f64x2.sub(p, f64x2.div(f64x2.mul(step, mi), f64x2.add(f64x2.div(f64x2.sqrt(vi), bc2), ep))));
  }
  if (i < n) {
    const o = <usize>i << 2;
    const p = <f64>load<f32>(param + o);
    let g = <f64>load<f32>(grad + o);
    if (decay) g = g + weightDecay * p;
    const mi = <f64><f32>(beta1 * <f64>load<f32>(m + o) + (1 - beta1) * g);
    const vi = <f64><f32>(beta2 * <f64>load<f32>(v + o) + (1 - beta2) * g * g);
    store<f32>(m + o, <f32>mi);
    store<f32>(v + o, <f32>vi);
    store<f32>(param + o, <f32>(p - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps)));
  }
}
