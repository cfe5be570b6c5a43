import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tripleBatches, userBatches } from '../../src/train/batches.js';
import { createRng } from '../../src/util/rng.js';

const triples = {
  users: Int32Array.of(2, 0, 1, 2, 0, 2, 4),
  pos: Int32Array.of(10, 11, 12, 13, 14, 15, 16),
  neg: Int32Array.of(20, 21, 22, 23, 24, 25, 26),
};

test('triple batches are consecutive views, the last one shorter', () => {
  const b = tripleBatches(triples, 3);
  assert.deepEqual(b.map((x) => x.users.length), [3, 3, 1]);
  assert.deepEqual(Array.from(b[1].pos), [13, 14, 15]);
  assert.equal(b[2].neg[0], 26);
});

test('user batches hold every triple once, grouped by user in sampled order', () => {
  const b = userBatches(triples, 5, 2, createRng(1));
  assert.equal(b.length, 2); // users 0, 1, 2, 4 have triples (3 has none)
  const seen: [number, number, number][] = [];
  for (const x of b) {
    assert.ok(new Set(x.users).size <= 2);
    for (let k = 0; k < x.users.length; k++) seen.push([x.users[k], x.pos[k], x.neg[k]]);
  }
  const want = Array.from(triples.users, (u, k) => [u, triples.pos[k], triples.neg[k]]);
  assert.deepEqual([...seen].sort((p, q) => p[1] - q[1]), want);
  const user2 = seen.filter((s) => s[0] === 2).map((s) => s[1]);
  assert.deepEqual(user2, [10, 13, 15]);
  assert.notDeepEqual(userBatches(triples, 5, 1, createRng(1)).map((x) => x.users[0]), userBatches(triples, 5, 1, createRng(9)).map((x) => x.users[0]));
});
