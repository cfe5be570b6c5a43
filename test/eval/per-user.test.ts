import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { PerUserMetrics } from '../../src/eval/full-ranking.js';
import { formatPerUserTsv, parsePerUserTsv, readPerUserTsv, writePerUserTsv } from '../../src/eval/per-user.js';
import { tempDir } from '../helpers/temp-dir.js';

const perUser = {
  users: new Int32Array([0, 3, 17]),
  'recall@20': new Float64Array([1 / 3, 0, 0.1 + 0.2]),
  'ndcg@20': new Float64Array([1 / Math.log2(3), NaN, 1]),
} as PerUserMetrics;

test('per-user TSV: header, rows, and a bit-exact round trip through a file', async () => {
  const text = formatPerUserTsv(perUser);
  assert.equal(text.split('\n')[0], 'user\trecall@20\tndcg@20');
  assert.equal(text.split('\n')[1], '0\t0.3333333333333333\t0.6309297535714575');
  const dir = tempDir('peruser');
  try {
    const file = join(dir, 'per-user.tsv');
    await writePerUserTsv(file, perUser);
    assert.equal(await readFile(file, 'utf8'), text);
    const back = await readPerUserTsv(file);
    assert.deepEqual(back, perUser); // deepEqual compares doubles with Object.is: bit-exact, NaN included
    const gz = join(dir, 'per-user.tsv.gz');
    await writePerUserTsv(gz, perUser);
    assert.equal(gunzipSync(await readFile(gz)).toString('utf8'), text, 'a .gz path is gzip-compressed');
    assert.deepEqual(await readPerUserTsv(gz), perUser);
  } finally {
    await rm(dir, { recursive: true });
  }
});

test('per-user TSV: errors name file, line and field', () => {
  assert.throws(() => parsePerUserTsv('', 'a.tsv'), /a\.tsv: empty file/);
  assert.throws(() => parsePerUserTsv('uid\trecall@20\n', 'a.tsv'), /a\.tsv:1: field "uid": first column must be "user"/);
  assert.throws(() => parsePerUserTsv('user\tauc@20\n', 'a.tsv'), /a\.tsv:1: field "auc@20": unknown metric/);
  assert.throws(() => parsePerUserTsv('user\trecall@20\n0\t0.5\n2\tx\n', 'a.tsv'), /a\.tsv:3: field "recall@20": not a number: "x"/);
  assert.throws(() => parsePerUserTsv('user\trecall@20\n4\t0.5\n2\t1\n', 'a.tsv'), /a\.tsv:3: field "user": users must be strictly ascending/);
  assert.throws(() => parsePerUserTsv('user\trecall@20\n4\n', 'a.tsv'), /a\.tsv:2: expected 2 columns, got 1/);
});
