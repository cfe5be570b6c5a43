import assert from 'node:assert/strict';
import { test } from 'node:test';
import { densify } from '../../../src/data/preprocess/densify.js';
import type { DenseInteractions } from '../../../src/data/preprocess/records.js';
import { parseSplitSpec, partSizes, splitInteractions, type SplitParts, type SplitSpec } from '../../../src/data/preprocess/split.js';
import { ConfigError, DataError } from '../../../src/util/errors.js';
import { createRng } from '../../../src/util/rng.js';
import { beautyRaw, keys, rawOf } from './helpers.js';

/** 40 users with 1..40 distinct items each (out of 60), random times with some ties. */
function synthetic(): DenseInteractions {
  const rng = createRng(7);
  const rows: [string, string, number, number][] = [];
  for (let u = 0; u < 40; u++) {
    const items = Array.from({ length: 60 }, (_x, i) => i);
    for (let k = 0; k <= u; k++) {
      const j = k + rng.int(60 - k);
      [items[k], items[j]] = [items[j], items[k]];
      rows.push([`u${u}`, `i${items[k]}`, 5, rng.int(20)]);
    }
  }
  return densify(rawOf(rows)).data;
}

function perUser(p: SplitParts['train'], n: number): number[] {
  const c = new Array<number>(n).fill(0);
  for (const u of p.users) c[u]++;
  return c;
}

function assertPartition(d: DenseInteractions, s: SplitParts): void {
  const all = [...keys(s.train.users, s.train.items), ...keys(s.valid.users, s.valid.items), ...keys(s.test.users, s.test.items)].sort();
  assert.deepEqual(all, keys(d.users, d.items), 'the parts cover every record exactly once');
  assert.equal(new Set(all).size, all.length, 'the parts are disjoint');
}

test('partSizes: rounded per held-out part, min 1, too few records go to train', () => {
  const r = [0.6, 0.2, 0.2] as const;
  assert.deepEqual(partSizes(5, r), [3, 1, 1]);
  assert.deepEqual(partSizes(10, r), [6, 2, 2]);
  assert.deepEqual(partSizes(7, r), [5, 1, 1]);
  assert.deepEqual(partSizes(8, r), [4, 2, 2]);
  assert.deepEqual(partSizes(15, [0.8, 0.1, 0.1]), [11, 2, 2]);
  assert.deepEqual(partSizes(3, r), [1, 1, 1]);
  assert.deepEqual(partSizes(2, r), [2, 0, 0]);
  assert.deepEqual(partSizes(2, [0.8, 0, 0.2]), [1, 0, 1]);
  assert.deepEqual(partSizes(3, [0.05, 0.9, 0.05]), [1, 1, 1]);
  assert.deepEqual(partSizes(10, [0.05, 0.9, 0.05]), [1, 8, 1]);
});

test('parseSplitSpec: weights normalised, bad forms rejected', () => {
  const s = parseSplitSpec('ratio:3,1,1');
  assert.equal(s.kind, 'ratio');
  assert.deepEqual(s.kind === 'ratio' && s.ratios.map((x) => +x.toFixed(12)), [0.6, 0.2, 0.2]);
  assert.deepEqual(parseSplitSpec('loo'), { kind: 'loo' });
  assert.equal(parseSplitSpec('global-temporal:0.8,0.1,0.1').kind, 'global-temporal');
  for (const bad of ['ratio', 'ratio:0.6,0.4', 'ratio:0,0.5,0.5', 'loo:1', 'random:0.6,0.2,0.2', 'temporal:a,b,c']) {
    assert.throws(() => parseSplitSpec(bad), ConfigError, bad);
  }
});

test('random ratio split: partition, per-user sizes, small users in train, seeded', () => {
  const d = synthetic();
  const spec: SplitSpec = { kind: 'ratio', ratios: [0.6, 0.2, 0.2] };
  const { data, step } = splitInteractions(d, spec, createRng(1).derive('split'));
  assertPartition(d, data);
  const tr = perUser(data.train, d.numUsers), va = perUser(data.valid, d.numUsers), te = perUser(data.test, d.numUsers);
  for (let u = 0; u < d.numUsers; u++) assert.deepEqual([tr[u], va[u], te[u]], partSizes(u + 1, [0.6, 0.2, 0.2]), `user ${u}`);
  assert.equal(step.details?.usersAllTrain, 2);
  assert.equal(step.details?.minRecordsPerUser, 3);
  assert.equal(Number(step.details?.train) + Number(step.details?.valid) + Number(step.details?.test), d.users.length);
  assert.deepEqual(step.in, step.out);
  const again = splitInteractions(d, spec, createRng(1).derive('split')).data;
  assert.deepEqual(again, data);
  const other = splitInteractions(d, spec, createRng(2).derive('split')).data;
  assert.notDeepEqual(keys(other.test.users, other.test.items), keys(data.test.users, data.test.items));
  assert.throws(() => splitInteractions(d, spec), ConfigError);
});

test('leave-one-out: last by time to test, the one before to valid, ties by line', () => {
  const raw = rawOf([
    ['a', 'x', 5, 30], ['a', 'y', 5, 10], ['a', 'z', 5, 30], ['a', 'w', 5, 20], // z is later than x on a tie
    ['b', 'x', 5, 1], ['b', 'y', 5, 2], // too few: all train
  ]);
  const d = densify(raw).data;
  const { data, step } = splitInteractions(d, { kind: 'loo' });
  const name = (p: SplitParts['train']) => Array.from(p.users, (u, k) => `${d.userRaw[u]}${d.itemRaw[p.items[k]]}`).sort();
  assert.deepEqual(name(data.test), ['az']);
  assert.deepEqual(name(data.valid), ['ax']);
  assert.deepEqual(name(data.train), ['aw', 'ay', 'bx', 'by']);
  assert.equal(step.details?.usersAllTrain, 1);
});

test('leave-one-out on tiny_beauty reproduces the fixture split sizes', () => {
  const d = densify(beautyRaw()).data;
  const { data } = splitInteractions(d, { kind: 'loo' });
  assertPartition(d, data);
  // fixture README: per-user chronological leave-last-two, train 82 / valid 30 / test 30
  assert.deepEqual([data.train.users.length, data.valid.users.length, data.test.users.length], [82, 30, 30]);
});

test('per-user temporal ratio: train before valid before test for every user', () => {
  const d = synthetic();
  const { data } = splitInteractions(d, { kind: 'temporal', ratios: [0.8, 0.1, 0.1] });
  assertPartition(d, data);
  const timeOf = new Map<string, number>();
  d.users.forEach((u, k) => timeOf.set(`${u},${d.items[k]}`, d.times![k]));
  const span = (p: SplitParts['train'], u: number, f: typeof Math.max) =>
    f(...Array.from(p.users).flatMap((v, k) => (v === u ? [timeOf.get(`${u},${p.items[k]}`)!] : [])));
  for (let u = 0; u < d.numUsers; u++) {
    assert.ok(span(data.train, u, Math.max) <= span(data.valid, u, Math.min), `user ${u} train/valid`);
    assert.ok(span(data.valid, u, Math.max) <= span(data.test, u, Math.min), `user ${u} valid/test`);
  }
});

test('global temporal cut: one time boundary, ties kept together, cold users counted', () => {
  const times = [1, 2, 3, 4, 5, 6, 7, 8, 8, 8];
  const raw = rawOf(times.map((t, k) => [`u${k % 3}`, `i${k}`, 5, t] as [string, string, number, number]));
  const d = densify(raw).data;
  const { data, step } = splitInteractions(d, { kind: 'global-temporal', ratios: [0.6, 0.2, 0.2] });
  assertPartition(d, data);
  // t1 = sorted[6] = 7, t2 = sorted[8] = 8: train t < 7, valid 7 <= t < 8, test t >= 8
  assert.equal(step.details?.cutTrainValid, 7);
  assert.equal(step.details?.cutValidTest, 8);
  assert.deepEqual([data.train.users.length, data.valid.users.length, data.test.users.length], [6, 1, 3]);
  assert.equal(step.details?.coldUsers, 0);
  assert.equal(step.details?.coldItems, 4);
});

test('time-based splits need times; a missing time names its line', () => {
  const untimed = densify(rawOf([['a', 'x'], ['a', 'y'], ['a', 'z']])).data;
  assert.throws(() => splitInteractions(untimed, { kind: 'loo' }), ConfigError);
  const gap = densify(rawOf([['a', 'x', 1, 5], ['a', 'y', 1], ['a', 'z', 1, 6]], 'in.csv')).data;
  assert.throws(() => splitInteractions(gap, { kind: 'temporal', ratios: [0.6, 0.2, 0.2] }), (e: unknown) => e instanceof DataError && /in\.csv:2: field "time"/.test(e.message));
  assert.throws(() => splitInteractions(gap, { kind: 'ratio', ratios: [0.5, 0.2, 0.2] } as SplitSpec, createRng(1)), ConfigError);
});
