import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng, shuffle } from '../../src/util/rng.js';

test('same seed gives the same stream; different seeds differ', () => {
  const a = createRng(2023), b = createRng(2023), c = createRng(2024);
  const xa = Array.from({ length: 8 }, () => a.next());
  const xb = Array.from({ length: 8 }, () => b.next());
  const xc = Array.from({ length: 8 }, () => c.next());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
  for (const x of xa) assert.ok(x >= 0 && x < 1);
});

test('derived streams are independent of the order they are created in', () => {
  const r1 = createRng(7);
  const s1 = r1.derive('negatives');
  r1.derive('dropout').next();
  const r2 = createRng(7);
  const s2 = r2.derive('negatives');
  assert.equal(s1.next(), s2.next());
  assert.notEqual(createRng(7).derive('a').next(), createRng(7).derive('b').next());
});

test('int(n) is uniform enough and in range', () => {
  const r = createRng(1);
  const counts = new Array(10).fill(0);
  for (let i = 0; i < 100_000; i++) counts[r.int(10)]++;
  for (const c of counts) assert.ok(Math.abs(c - 10_000) < 500, `bucket count ${c}`);
});

test('int(n) draws exactly what the float-modulo rejection rule draws from next(), for small, odd and huge n', () => {
  // Reference: the same stream read through next() (u = next() · 2^32 is the exact 32-bit word), rejection
  // at 2^32 − 2^32 mod n and u mod n with JS's exact float modulo.
  const ns = [1, 2, 3, 7, 10, 9332, 11000, 120464, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 3 * 2 ** 30 + 5, 2 ** 32 - 2, 2 ** 32 - 1];
  let draws = 0;
  for (let seed = 0; seed < 40; seed++) {
    const pick = createRng(seed + 1000);
    for (const n of [...ns, ...Array.from({ length: 8 }, () => 1 + Math.floor(pick.next() * 4294967295))]) {
      const a = createRng(seed), ref = createRng(seed);
      for (let i = 0; i < 200; i++) {
        const limit = 4294967296 - (4294967296 % n);
        let u: number;
        do u = ref.next() * 4294967296; while (u >= limit);
        assert.equal(a.int(n), u % n, `seed ${seed}, n ${n}, draw ${i}`);
        draws++;
      }
      assert.equal(a.next(), ref.next());
    }
  }
  assert.equal(draws, 40 * 24 * 200);
});

test('normal() has mean 0 and variance 1', () => {
  const r = createRng(3);
  let s = 0, s2 = 0;
  const n = 200_000;
  for (let i = 0; i < n; i++) { const x = r.normal(); s += x; s2 += x * x; }
  assert.ok(Math.abs(s / n) < 0.01);
  assert.ok(Math.abs(s2 / n - 1) < 0.02);
});

test('shuffle is a seeded permutation', () => {
  const a = shuffle(Int32Array.from({ length: 50 }, (_, i) => i), createRng(5));
  const b = shuffle(Int32Array.from({ length: 50 }, (_, i) => i), createRng(5));
  assert.deepEqual(a, b);
  assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  assert.notDeepEqual([...a], Array.from({ length: 50 }, (_, i) => i));
});

test('non-integer seeds are rejected', () => {
  assert.throws(() => createRng(1.5), /integer/);
});
