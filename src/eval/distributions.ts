import { LmmrecError } from '../util/errors.js';

/**
 * The few distribution functions the significance tests need, in double precision: Student t through the
 * regularised incomplete beta function, the normal through the regularised incomplete gamma function.
 * Algorithms: Numerical Recipes (3rd ed.) §6.1 (Lanczos), §6.2 (gamma series / continued fraction),
 * §6.4 (beta continued fraction, modified Lentz); ln B(a, b) as in R's lbeta. Relative error of t-test
 * p-values ≤ ~1e-11 up to df = 5·10⁴ (checked against scipy.stats and mpmath).
 */

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error ~1e-15). */
export function lnGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`lnGamma: x must be > 0, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x); // reflection
  const z = x - 1;
  let s = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) s += LANCZOS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** Stirling-series remainder lnΓ(x) - [(x - ½) ln x - x + ½ ln 2π] for x ≥ 10 (8 terms, error < 1e-17). */
function lnGammaCorrection(x: number): number {
  const x2 = 1 / (x * x);
  const c = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156, -3617 / 122400];
  let s = 0;
  for (let i = c.length - 1; i >= 0; i--) s = s * x2 + c[i];
  return s / x;
}

const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * ln B(a, b) without the cancellation of lnΓ(a) + lnΓ(b) - lnΓ(a+b) at large arguments (a paired t-test over
 * ~10⁴ users has a ≈ 5000): the Stirling parts are combined analytically, as in R's lbeta.
 */
export function lnBeta(a: number, b: number): number {
  const p = Math.min(a, b), q = Math.max(a, b);
  if (p >= 10) {
    const corr = lnGammaCorrection(p) + lnGammaCorrection(q) - lnGammaCorrection(p + q);
    return -0.5 * Math.log(q) + LN_SQRT_2PI + corr + (p - 0.5) * Math.log(p / (p + q)) + q * Math.log1p(-p / (p + q));
  }
  if (q >= 10) {
    const corr = lnGammaCorrection(q) - lnGammaCorrection(p + q);
    return lnGamma(p) + corr + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-p / (p + q));
  }
  return lnGamma(p) + lnGamma(q) - lnGamma(p + q);
}

const EPS = 1e-16;
const FPMIN = 1e-300;
const MAX_ITER = 100_000;

function notConverged(what: string, ...args: number[]): never {
  throw new LmmrecError('NUMERIC', `${what}(${args.join(', ')}) did not converge in ${MAX_ITER} iterations`);
}

/** Continued fraction for I_x(a, b), modified Lentz; converges fast for x < (a+1)/(a+b+2). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b, qap = a + 1, qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < FPMIN) d = FPMIN;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_ITER; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) return h;
  }
  return notConverged('betaContinuedFraction', a, b, x);
}

/**
 * Regularised incomplete beta I_x(a, b) for a, b > 0, x ∈ [0, 1]. `y` = 1 - x may be passed when the caller
 * can compute it without cancellation (x near 1), which keeps the result's relative accuracy.
 */
export function regIncBeta(x: number, a: number, b: number, y = 1 - x): number {
  if (!(a > 0 && b > 0)) throw new RangeError(`regIncBeta: a, b must be > 0, got ${a}, ${b}`);
  if (!(x >= 0 && x <= 1)) throw new RangeError(`regIncBeta: x must be in [0, 1], got ${x}`);
  if (x === 0 || x === 1) return x;
  // ln x and ln(1 - x) from whichever of x, y is small, so neither loses digits near 0 or 1.
  const lnX = x < 0.5 ? Math.log(x) : Math.log1p(-y);
  const lnY = y < 0.5 ? Math.log(y) : Math.log1p(-x);
  const lnFront = a * lnX + b * lnY - lnBeta(a, b);
  // Use the continued fraction where it converges quickly, the symmetry I_x(a,b) = 1 - I_{1-x}(b,a) elsewhere.
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(b, a, y)) / b;
}

/** Upper regularised incomplete gamma Q(a, x) = Γ(a, x) / Γ(a), a > 0, x ≥ 0. */
export function regGammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) throw new RangeError(`regGammaQ: need a > 0, x >= 0, got ${a}, ${x}`);
  if (x === 0) return 1;
  const lnFront = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    // series for P(a, x)
    let ap = a, sum = 1 / a, del = sum;
    for (let n = 1; n <= MAX_ITER; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * EPS) return 1 - sum * Math.exp(lnFront);
    }
    return notConverged('regGammaQ', a, x);
  }
  // continued fraction for Q(a, x), modified Lentz
  let b = x + 1 - a, c = 1 / FPMIN, d = 1 / b, h = d;
  for (let i = 1; i <= MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = b + an / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) return Math.exp(lnFront) * h;
  }
  return notConverged('regGammaQ', a, x);
}

/** Standard normal upper tail P(Z > z), accurate in the far tail (via erfc(x) = Q(1/2, x²)). */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  const q = 0.5 * regGammaQ(0.5, (z * z) / 2);
  return z >= 0 ? q : 1 - q;
}

/** Two-sided Student t p-value P(|T| ≥ |t|) with df degrees of freedom: I_{df/(df+t²)}(df/2, 1/2). */
export function studentTTwoSidedP(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`studentT: df must be > 0, got ${df}`);
  if (Number.isNaN(t)) return NaN;
  if (!Number.isFinite(t)) return 0;
  const t2 = t * t;
  return regIncBeta(df / (df + t2), df / 2, 0.5, t2 / (df + t2));
}

/** Student t CDF P(T ≤ t). */
export function studentTCdf(t: number, df: number): number {
  const half = studentTTwoSidedP(t, df) / 2;
  return t >= 0 ? 1 - half : half;
}
