import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readRawInteractions } from '../../src/data/readers/raw.js';
import { readRecboleAtomic, readRecboleInter, recboleTexts } from '../../src/data/readers/recbole.js';
import { ConfigError, DataError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const tmp = tempDir('recbole');
const dataError = (pattern: RegExp) => (e: unknown) => e instanceof DataError && pattern.test(e.message);
const file = (name: string, content: string | Buffer): string => {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
};

const INTER = 'user_id:token\titem_id:token\trating:float\ttimestamp:float\nA1\tB7\t5\t1500000000\nA2\tB7\t3.5\t1500000100\nA1\tB9\t1\t1500000200\n';

test('RecBole .inter: raw ids, ratings, times and source lines', async () => {
  const r = await readRecboleInter(file('ml.inter', INTER));
  assert.deepEqual(r.users, ['A1', 'A2', 'A1']);
  assert.deepEqual(r.items, ['B7', 'B7', 'B9']);
  assert.deepEqual([...(r.ratings ?? [])], [5, 3.5, 1]);
  assert.deepEqual([...(r.times ?? [])], [1500000000, 1500000100, 1500000200]);
  assert.deepEqual([...r.lines], [2, 3, 4]);
  assert.equal(r.texts, undefined);
});

test('RecBole .inter.gz with custom field names, a text field, and the rating ignored', async () => {
  const content = 'uid:token\tiid:token\trating:float\treview:token\nu\ti\t4\tgreat stuff\nv\ti\t2\t\n';
  const r = await readRecboleInter(file('custom.inter.gz', gzipSync(content)), { user: 'uid', item: 'iid', rating: null, text: 'review' });
  assert.deepEqual(r.users, ['u', 'v']);
  assert.equal(r.ratings, undefined);
  assert.equal(r.times, undefined);
  assert.deepEqual(r.texts, ['great stuff', undefined]);
});

test('RecBole header and row errors name file, line and field', async () => {
  await assert.rejects(readRecboleInter(file('h1.inter', 'user_id:token\titem_id:string\n')), dataError(/h1\.inter:1: field "item_id:string": header cells must be name:type/));
  await assert.rejects(readRecboleInter(file('h2.inter', 'uid:token\titem_id:token\nu\ti\n')), dataError(/h2\.inter:1: field "user_id": user field not in header \(fields: uid, item_id\)/));
  await assert.rejects(readRecboleInter(file('h3.inter', INTER + 'A3\tB1\t4\n')), dataError(/h3\.inter:5: expected 4 tab-separated columns \(as in the header\), got 3/));
  await assert.rejects(readRecboleInter(file('h4.inter', INTER + 'A3\tB1\tfive\t1\n')), dataError(/h4\.inter:5: field "rating": not a number: "five"/));
  await assert.rejects(readRecboleInter(file('h5.inter', INTER + '\tB1\t4\t1\n')), dataError(/h5\.inter:5: field "user_id": missing required field/));
  await assert.rejects(readRecboleInter(file('h6.inter', '')), dataError(/h6\.inter: empty file/));
  await assert.rejects(readRecboleInter(file('h7.inter', 'user_id:token\titem_id:token_seq\n')), dataError(/h7\.inter:1: field "item_id": item field must be of type token, got token_seq/));
});

test('RecBole .item table: typed values and joined entity texts', async () => {
  const t = await readRecboleAtomic(file('ml.item', 'item_id:token\ttitle:token\tgenre:token_seq\tyear:float\tvec:float_seq\nB7\tHeat\tAction Crime\t1995\t0.5 1\nB9\t\t\t\t\n'));
  assert.deepEqual(t.fields.map((f) => `${f.name}:${f.type}`), ['item_id:token', 'title:token', 'genre:token_seq', 'year:float', 'vec:float_seq']);
  assert.deepEqual(t.rows[0], ['B7', 'Heat', ['Action', 'Crime'], 1995, [0.5, 1]]);
  assert.deepEqual(t.rows[1], ['B9', undefined, undefined, undefined, undefined]);
  const texts = recboleTexts(t, 'item_id', ['title', 'genre']);
  assert.deepEqual([...texts], [['B7', 'title: Heat\ngenre: Action, Crime']]);
});

test('raw CSV with a column mapping: quoted text with newlines and quotes, ISO and unix times', async () => {
  const csv = 'reviewer,asin,stars,when,body\nA,X,5,1500000000,"Loved it, ""really""\nsecond line"\nB,Y,2.5,2017-07-14T02:40:00Z,\n';
  const r = await readRawInteractions(file('reviews.csv', csv), { user: 'reviewer', item: 'asin', rating: 'stars', time: 'when', text: 'body' });
  assert.deepEqual(r.users, ['A', 'B']);
  assert.deepEqual(r.items, ['X', 'Y']);
  assert.deepEqual([...(r.ratings ?? [])], [5, 2.5]);
  assert.deepEqual([...(r.times ?? [])], [1500000000, Date.parse('2017-07-14T02:40:00Z') / 1000]);
  assert.deepEqual(r.texts, ['Loved it, "really"\nsecond line', undefined]);
  assert.deepEqual([...r.lines], [2, 4], 'the second record starts on line 4 because the first spans two lines');
});

test('raw JSONL (gzip) with numeric ids; a mapped column missing from a record is an error', async () => {
  const lines = ['{"u": 17, "i": "b1", "r": 4}', '{"u": "x", "i": 3, "r": 1}'];
  const r = await readRawInteractions(file('raw.jsonl.gz', gzipSync(lines.join('\n'))), { user: 'u', item: 'i', rating: 'r' });
  assert.deepEqual(r.users, ['17', 'x']);
  assert.deepEqual(r.items, ['b1', '3']);
  assert.deepEqual([...(r.ratings ?? [])], [4, 1]);
  const bad = file('raw-bad.jsonl', [...lines, '{"u": "y", "i": 2}'].join('\n'));
  await assert.rejects(readRawInteractions(bad, { user: 'u', item: 'i', rating: 'r' }), dataError(/raw-bad\.jsonl:3: field "r": missing required field/));
});

test('raw CSV errors: mapped column absent from the header, non-numeric rating, bad mapping', async () => {
  const p = file('bad.csv', 'user,item,rating\nA,X,5\nB,Y,lots\n');
  await assert.rejects(readRawInteractions(p, { user: 'user', item: 'asin' }), dataError(/bad\.csv:1: field "asin": mapped item column not in header \(columns: user, item, rating\)/));
  await assert.rejects(readRawInteractions(p, { user: 'user', item: 'item', rating: 'rating' }), dataError(/bad\.csv:3: field "rating": not a number: "lots"/));
  await assert.rejects(readRawInteractions(p, { user: 'user', item: 'item', colour: 'x' } as never), (e: unknown) => e instanceof ConfigError && /column mapping: .*Unrecognized key: "colour"/s.test(e.message));
  await assert.rejects(readRawInteractions(file('x.parquet', ''), { user: 'a', item: 'b' }), dataError(/x\.parquet: cannot tell the format/));
});
