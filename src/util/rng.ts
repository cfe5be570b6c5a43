/**
 * Seeded random streams. One run seed; every consumer derives its own named stream, so adding a consumer
 * never shifts the numbers another consumer draws (the failure mode of one shared global generator).
 *
 * Generator: xoshiro128** (32-bit state words, fast in JS integer arithmetic), seeded by splitmix32.
 */
export interface Rng {
  /** Uniform float in [0, 1), 2^-32 resolution. */
  next(): number;
  /** Uniform integer in [0, n). n must be a positive integer < 2^32. */
  int(n: number): number;
  /** Standard normal (Box–Muller; the spare value is kept). */
  normal(): number;
  /** A new independent stream named relative to this one. */
  derive(name: string): Rng;
  /** The 32-bit seed this stream was created from (for logs and run directories). */
  readonly seed: number;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a over the UTF-16 code units of a name, mixed with the parent seed. */
function mixName(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  return new Xoshiro128(seed >>> 0);
}

/**
 * One class for every stream, so a call like rng.next() in a hot loop has a single target that V8 inlines
 * (a closure per stream made it a different function for every epoch's stream), and the state lives in an
 * Int32Array (closure variables holding uint32 values above 2^31 were boxed on every update).
 */
class Xoshiro128 implements Rng {
  private readonly st = new Int32Array(4);
  private spare: number | undefined = undefined;

  constructor(readonly seed: number) {
    const sm = splitmix32(seed);
    const st = this.st;
    st[0] = sm(); st[1] = sm(); st[2] = sm(); st[3] = sm();
    if ((st[0] | st[1] | st[2] | st[3]) === 0) st[0] = 1;
  }

  private nextU32(): number {
    const st = this.st;
    let a = st[0], b = st[1], c = st[2], d = st[3];
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d;
    c ^= t;
    d = rotl(d, 11);
    st[0] = a; st[1] = b; st[2] = c; st[3] = d;
    return result;
  }

  next(): number {
    return this.nextU32() / 4294967296;
  }

  int(n: number): number {
    // Rejection above the largest multiple of n keeps the draw unbiased for any n. Remainders as
    // x − ⌊x / n⌋·n: exact for integers up to 2^32 (a non-integer quotient is ≥ 1/n from the next integer, far
    // above its rounding error), and a division is much cheaper than V8's float modulo (negatives: 5.5 → 2.7 ms).
    const limit = Math.floor(4294967296 / n) * n;
    let x: number;
    do x = this.nextU32(); while (x >= limit);
    return x - Math.floor(x / n) * n;
  }

  normal(): number {
    if (this.spare !== undefined) { const s = this.spare; this.spare = undefined; return s; }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  derive(name: string): Rng {
    return createRng(mixName(this.seed, name));
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** In-place Fisher–Yates shuffle. */
export function shuffle<T extends { length: number; [i: number]: unknown }>(arr: T, rng: Rng): T {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = arr[i]; arr[i] = arr[j]; arr[j] = t;
  }
  return arr;
}
