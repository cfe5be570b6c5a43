import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csrFromPairs, transpose } from '../../../src/data/csr.js';
import { anchorSubgraph, createSubgraphSizers } from '../../../src/models/plugins/lmmrec/subgraph.js';
import { createRng } from '../../../src/util/rng.js';

test('anchorSubgraph: anchors first, their neighbours next, padding ≤ 1/16 of each list and edge set', () => {
  const rng = createRng(3), nu = 400, ni = 300, r: number[] = [], c: number[] = [];
  for (let u = 0; u < nu; u++) for (let i = 0; i < ni; i++) if (rng.next() < 0.03) (r.push(u), c.push(i));
  const g = csrFromPairs(nu, ni, Int32Array.from(r), Int32Array.from(c)), gt = transpose(g);
  const users = Int32Array.from({ length: 60 }, (_, k) => 5 * k), items = Int32Array.from({ length: 90 }, (_, k) => 3 * k + 1);
  const sub = anchorSubgraph(g, gt, users, items, createSubgraphSizers());
  assert.deepEqual(Array.from(sub.userIds.subarray(0, users.length)), Array.from(users));
  assert.deepEqual(Array.from(sub.itemIds.subarray(0, items.length)), Array.from(items));
  const realUsers = new Set(sub.userIds).size, realItems = new Set(sub.itemIds).size;
  const edgesOf = (m: typeof g, ids: Int32Array) => ids.reduce((s, v) => s + m.indptr[v + 1] - m.indptr[v], 0);
  const sizes: [number, number][] = [
    [sub.userIds.length, realUsers + 1], [sub.itemIds.length, realItems + 1],
    [sub.users.indptr[sub.users.rows], edgesOf(g, users) + 1], [sub.items.indptr[sub.items.rows], edgesOf(gt, items) + 1],
  ];
  for (const [padded, need] of sizes) {
    assert.ok(need > 64, `a list long enough to be bucketed (${need})`);
    assert.ok(padded >= need && padded <= Math.ceil(need * (1 + 1 / 16)), `${padded} for ${need}`);
  }
  // Every real edge of anchor user k is in row k, with its item's position in itemIds.
  for (const k of [0, 17, 59]) {
    const u = users[k], row = sub.users.indices.subarray(sub.users.indptr[k], sub.users.indptr[k + 1]);
    assert.deepEqual(Array.from(row, (j) => sub.itemIds[j]), Array.from(g.indices.subarray(g.indptr[u], g.indptr[u + 1])));
  }
});
