import type { Rng } from '../util/rng.js';
import type { Arr, Mat } from './tensor.js';

/**
 * Parameter initialisers, each drawing from a named rng stream (rng.derive('user-emb') etc.), in row-major
 * order. Fans follow torch.nn.init for a 2-D tensor of shape (rows, cols): fan_in = cols, fan_out = rows.
 */

/** U(−a, a) with a = gain · sqrt(6 / (fan_in + fan_out)) (torch.nn.init.xavier_uniform_). */
export function xavierUniform(m: Mat<Arr>, rng: Rng, gain = 1): void {
  const a = gain * Math.sqrt(6 / (m.rows + m.cols));
  uniformInit(m, rng, -a, a);
}

/** N(0, std²) with std = gain · sqrt(2 / (fan_in + fan_out)) (torch.nn.init.xavier_normal_). */
export function xavierNormal(m: Mat<Arr>, rng: Rng, gain = 1): void {
  normalInit(m, rng, gain * Math.sqrt(2 / (m.rows + m.cols)));
}

export function normalInit(m: Mat<Arr>, rng: Rng, std: number, mean = 0): void {
  const n = m.rows * m.cols, d = m.data;
  for (let i = 0; i < n; i++) d[i] = mean + std * rng.normal();
}

export function uniformInit(m: Mat<Arr>, rng: Rng, lo: number, hi: number): void {
  const n = m.rows * m.cols, d = m.data;
  for (let i = 0; i < n; i++) d[i] = lo + (hi - lo) * rng.next();
}
