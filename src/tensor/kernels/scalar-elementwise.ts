import type { Arr } from '../tensor.js';
import type { AdamStepArgs } from './types.js';

/** Elementwise kernels and activations. Every kernel touches only indices [0, n), so the pool can slice them. */

export function add(a: Arr, b: Arr, out: Arr, n: number): void {
  for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
}

export function addMany(out: Arr, xs: readonly Arr[], n: number): void {
  const m = xs.length;
  if (m === 0) {
    out.fill(0, 0, n);
  } else if (m === 1) {
    const a = xs[0];
    for (let i = 0; i < n; i++) out[i] = a[i];
  } else if (out instanceof Float32Array && m <= 4) {
    // Math.fround after each add is exactly what storing each partial sum in a float32 buffer would do.
    const a = xs[0], b = xs[1];
    if (m === 2) for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
    else if (m === 3) {
      const c = xs[2];
      for (let i = 0; i < n; i++) out[i] = Math.fround(a[i] + b[i]) + c[i];
    } else {
      const c = xs[2], d = xs[3];
      for (let i = 0; i < n; i++) out[i] = Math.fround(Math.fround(a[i] + b[i]) + c[i]) + d[i];
    }
  } else {
    add(xs[0], xs[1], out, n);
    for (let k = 2; k < m; k++) add(out, xs[k], out, n);
  }
}

export function axpy(alpha: number, x: Arr, y: Arr, n: number): void {
  for (let i = 0; i < n; i++) y[i] += alpha * x[i];
}

export function sub(a: Arr, b: Arr, out: Arr, n: number): void {
  for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
}

export function div(a: Arr, b: Arr, out: Arr, n: number): void {
  for (let i = 0; i < n; i++) out[i] = a[i] / b[i];
}

export function divGradA(b: Arr, dy: Arr, dx: Arr, n: number): void {
  for (let i = 0; i < n; i++) dx[i] += dy[i] / b[i];
}

export function divGradB(a: Arr, b: Arr, dy: Arr, db: Arr, n: number): void {
  for (let i = 0; i < n; i++) {
    const bi = b[i];
    db[i] -= (dy[i] * a[i]) / (bi * bi);
  }
}

export function exp(x: Arr, y: Arr, n: number): void {
  for (let i = 0; i < n; i++) y[i] = Math.exp(x[i]);
}

export function log(x: Arr, y: Arr, n: number): void {
  for (let i = 0; i < n; i++) y[i] = Math.log(x[i]);
}

export function mul(a: Arr, b: Arr, out: Arr, n: number): void {
  for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
}

export function mulAdd(a: Arr, b: Arr, out: Arr, n: number): void {
  for (let i = 0; i < n; i++) out[i] += a[i] * b[i];
}

export function scale(a: Arr, s: number, out: Arr, n: number): void {
  for (let i = 0; i < n; i++) out[i] = s * a[i];
}

export function addScalar(x: Arr, c: number, n: number): void {
  for (let i = 0; i < n; i++) x[i] += c;
}

export function leakyRelu(x: Arr, y: Arr, n: number, slope: number): void {
  for (let i = 0; i < n; i++) {
    const v = x[i];
    y[i] = v > 0 ? v : slope * v;
  }
}

export function leakyReluGrad(x: Arr, dy: Arr, dx: Arr, n: number, slope: number): void {
  for (let i = 0; i < n; i++) dx[i] += x[i] > 0 ? dy[i] : slope * dy[i];
}

export function relu(x: Arr, y: Arr, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = x[i];
    y[i] = v > 0 ? v : 0;
  }
}

export function reluGrad(x: Arr, dy: Arr, dx: Arr, n: number): void {
  for (let i = 0; i < n; i++) if (x[i] > 0) dx[i] += dy[i];
}

export function sigmoid(x: Arr, y: Arr, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = x[i];
    // Two branches so exp never overflows.
    if (v >= 0) y[i] = 1 / (1 + Math.exp(-v));
    else {
      const e = Math.exp(v);
      y[i] = e / (1 + e);
    }
  }
}

export function sigmoidGrad(y: Arr, dy: Arr, dx: Arr, n: number): void {
  for (let i = 0; i < n; i++) {
    const s = y[i];
    dx[i] += dy[i] * s * (1 - s);
  }
}

export function tanh(x: Arr, y: Arr, n: number): void {
  for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]);
}

export function tanhGrad(y: Arr, dy: Arr, dx: Arr, n: number): void {
  for (let i = 0; i < n; i++) {
    const t = y[i];
    dx[i] += dy[i] * (1 - t * t);
  }
}

/**
 * torch.optim.Adam (amsgrad off) for one tensor:
 *   g ← g + wd·p;  m ← β1 m + (1−β1) g;  v ← β2 v + (1−β2) g²;
 *   p ← p − stepSize · m / (sqrt(v) / sqrt(1−β2^t) + eps),  stepSize = lr / (1−β1^t).
 * Arithmetic is float64; the update uses m and v as stored (rounded to float32 for Float32Array state), as
 * PyTorch uses the stored tensors. The float32 loop rounds with Math.fround instead of re-reading the
 * arrays, which is the same value and measurably faster.
 */
export function adamStep(param: Arr, grad: Arr, m: Arr, v: Arr, n: number, h: AdamStepArgs): void {
  if (m instanceof Float32Array && v instanceof Float32Array) adamF32(param, grad, m, v, n, h);
  else adamAny(param, grad, m, v, n, h);
}

function adamF32(param: Arr, grad: Arr, m: Float32Array, v: Float32Array, n: number, h: AdamStepArgs): void {
  const b1 = h.beta1, b2 = h.beta2, c1 = 1 - b1, c2 = 1 - b2;
  const step = h.stepSize, bc2 = h.bc2Sqrt, eps = h.eps, wd = h.weightDecay;
  for (let i = 0; i < n; i++) {
    const g = wd !== 0 ? grad[i] + wd * param[i] : grad[i];
    const mi = Math.fround(b1 * m[i] + c1 * g);
    const vi = Math.fround(b2 * v[i] + c2 * g * g);
    m[i] = mi;
    v[i] = vi;
    param[i] -= (step * mi) / (Math.sqrt(vi) / bc2 + eps);
  }
}

function adamAny(param: Arr, grad: Arr, m: Arr, v: Arr, n: number, h: AdamStepArgs): void {
  const b1 = h.beta1, b2 = h.beta2, c1 = 1 - b1, c2 = 1 - b2;
  const step = h.stepSize, bc2 = h.bc2Sqrt, eps = h.eps, wd = h.weightDecay;
  for (let i = 0; i < n; i++) {
    const g = wd !== 0 ? grad[i] + wd * param[i] : grad[i];
    m[i] = b1 * m[i] + c1 * g;
    v[i] = b2 * v[i] + c2 * g * g;
    param[i] -= (step * m[i]) / (Math.sqrt(v[i]) / bc2 + eps);
  }
}
