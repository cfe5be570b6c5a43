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
