import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucket, createGrowingSizer, paddedUnique } from '../../../src/models/base/weightedgcl-padding.js';

test('paddedUnique is torch.unique followed by copies of the first id', () => {
  const same = (n: number) => n;
  assert.deepEqual(paddedUnique(Int32Array.of(5, 1, 5, 3, 1), same), { ids: Int32Array.of(1, 3, 5), rows: 3 });
  assert.deepEqual(paddedUnique(Int32Array.of(5, 1, 5, 3, 1), () => 6), { ids: Int32Array.of(1, 3, 5, 1, 1, 1), rows: 3 });
  assert.deepEqual(paddedUnique(new Int32Array(0), same), { ids: new Int32Array(0), rows: 0 });
});

test('bucket pads by at most 1/8 and the sizer never shrinks', () => {
  assert.deepEqual([5, 16, 17, 3085, 4096].map(bucket), [5, 16, 18, 3328, 4096]);
  for (let n = 1; n <= 5000; n++) assert.ok(bucket(n) >= n && bucket(n) <= n * 1.125, `${n} → ${bucket(n)}`);
  const size = createGrowingSizer();
  assert.deepEqual([2224, 3085, 2500, 3154, 10].map(size), [2304, 3328, 3328, 3328, 3328]);
});
