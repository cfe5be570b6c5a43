import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dedupPairs } from '../../../src/data/preprocess/dedup.js';
import { densify } from '../../../src/data/preprocess/densify.js';
import { filterByRating } from '../../../src/data/preprocess/filter.js';
import { kcore } from '../../../src/data/preprocess/kcore.js';
import { ConfigError, DataError } from '../../../src/util/errors.js';
import { beautyRaw, rawOf } from './helpers.js';

test('rating filter keeps rating >= t and records counts', () => {
  const raw = rawOf([['a', 'x', 5], ['a', 'y', 2], ['b', 'x', 3], ['b', 'z', 1]]);
  const { data, step } = filterByRating(raw, 3);
  assert.deepEqual(data.users, ['a', 'b']);
  assert.deepEqual(data.items, ['x', 'x']);
  assert.deepEqual([...data.lines], [1, 3]);
  assert.deepEqual(step.in, { users: 2, items: 3, interactions: 4 });
  assert.deepEqual(step.out, { users: 2, items: 1, interactions: 2 });
  assert.equal(step.details?.removed, 2);
});

test('rating filter: no rating column is a ConfigError, a missing rating names its line', () => {
  assert.throws(() => filterByRating(rawOf([['a', 'x']]), 3), ConfigError);
  assert.throws(() => filterByRating(rawOf([['a', 'x', 4], ['a', 'y']], 'r.csv'), 3), (e: unknown) => e instanceof DataError && /r\.csv:2: field "rating"/.test(e.message));
});

test('rating filter on tiny_beauty matches a direct count', () => {
  const raw = beautyRaw();
  const expected = Array.from(raw.ratings!).filter((r) => r >= 4).length;
  const { data } = filterByRating(raw, 4);
  assert.equal(data.users.length, expected);
  assert.ok(expected > 0 && expected < raw.users.length);
  assert.equal(data.texts!.length, expected);
});

test('dedup keeps the earliest record by time, ties to the first line', () => {
  const raw = rawOf([['a', 'x', 1, 50], ['a', 'y', 2, 10], ['a', 'x', 3, 20], ['a', 'x', 4, 20], ['b', 'y', 5, 7], ['b', 'y', 6, 7]]);
  const { data, step } = dedupPairs(raw, 'earliest');
  assert.deepEqual([...data.lines], [2, 3, 5]);
  assert.deepEqual([...data.ratings!], [2, 3, 5]);
  assert.equal(step.details?.removed, 3);
  assert.equal(step.out.interactions, 3);
});

test('dedup "first" keeps the first line; default is "first" without times', () => {
  const raw = rawOf([['a', 'x', 1, 50], ['a', 'x', 2, 10]]);
  assert.deepEqual([...dedupPairs(raw, 'first').data.lines], [1]);
  assert.deepEqual([...dedupPairs(raw).data.lines], [2]);
  const untimed = rawOf([['a', 'x'], ['a', 'x'], ['b', 'x']]);
  assert.deepEqual([...dedupPairs(untimed).data.lines], [1, 3]);
  assert.throws(() => dedupPairs(untimed, 'earliest'), ConfigError);
});

test('k-core iterates to a fixed point where one pass is not enough', () => {
  // pass 1 drops item z (1 user); then user c has 1 item and goes in pass 2; pass 3 confirms.
  const raw = rawOf([['a', 'x'], ['a', 'y'], ['b', 'x'], ['b', 'y'], ['c', 'y'], ['c', 'z']]);
  const { data, step } = kcore(raw, { user: 2, item: 2 });
  assert.deepEqual(data.users, ['a', 'a', 'b', 'b']);
  assert.deepEqual(data.items, ['x', 'y', 'x', 'y']);
  assert.equal(step.details?.passes, 3);
  assert.deepEqual(step.out, { users: 2, items: 2, interactions: 4 });
});

test('k-core: a long cascade removes everything, separate user/item k', () => {
  // A path u0-i0-u1-i1-...: every removal exposes a new degree-1 node.
  const rows: [string, string][] = [];
  for (let k = 0; k < 6; k++) { rows.push([`u${k}`, `i${k}`]); rows.push([`u${k + 1}`, `i${k}`]); }
  const path = kcore(rawOf(rows), { user: 2, item: 2 });
  assert.equal(path.data.users.length, 0);
  assert.ok(Number(path.step.details?.passes) > 3);
  const usersOnly = kcore(rawOf(rows), { user: 2, item: 0 });
  // u0 and u6 have one item; u1..u5 keep two, and removing u0/u6 leaves items untouched when item k is 0
  assert.equal(usersOnly.data.users.length, 10);
  assert.equal(usersOnly.step.details?.passes, 2);
});

test('k-core result satisfies the core property on tiny_beauty', () => {
  const { data, step } = kcore(beautyRaw(), { user: 4, item: 4 });
  const cu = new Map<string, number>(), ci = new Map<string, number>();
  data.users.forEach((u, k) => { cu.set(u, (cu.get(u) ?? 0) + 1); ci.set(data.items[k], (ci.get(data.items[k]) ?? 0) + 1); });
  assert.ok(data.users.length > 0);
  assert.ok([...cu.values()].every((n) => n >= 4));
  assert.deepEqual(step.out, { users: 29, items: 16, interactions: 138 });
  assert.ok([...ci.values()].every((n) => n >= 4));
  assert.throws(() => kcore(beautyRaw(), { user: -1, item: 2 }), ConfigError);
});

test('densify: first-seen and sorted orders', () => {
  const raw = rawOf([['u9', 'b'], ['u10', 'a'], ['u9', 'c']]);
  const first = densify(raw, 'first-seen').data;
  assert.deepEqual(first.userRaw, ['u9', 'u10']);
  assert.deepEqual([...first.users], [0, 1, 0]);
  assert.deepEqual(first.itemRaw, ['b', 'a', 'c']);
  assert.deepEqual([...first.items], [0, 1, 2]);
  const sorted = densify(raw, 'sorted');
  assert.deepEqual(sorted.data.userRaw, ['u10', 'u9']);
  assert.deepEqual([...sorted.data.users], [1, 0, 1]);
  assert.deepEqual(sorted.data.itemRaw, ['a', 'b', 'c']);
  assert.deepEqual([...sorted.data.items], [1, 0, 2]);
  assert.deepEqual(sorted.step.out, { users: 2, items: 3, interactions: 3 });
});
