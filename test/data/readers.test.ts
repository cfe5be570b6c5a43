import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { parseCsv, readCsv } from '../../src/data/readers/csv.js';
import { readJsonl } from '../../src/data/readers/jsonl.js';
import { decodeUtf8, readLines } from '../../src/data/readers/line-reader.js';
import { parsePairs, readIdMap } from '../../src/data/readers/tsv.js';
import { DataError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

const tmp = tempDir('readers');
const bytes = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const dataError = (pattern: RegExp) => (e: unknown) => e instanceof DataError && pattern.test(e.message);

test('parsePairs: CRLF, missing final newline, multi-digit ids', () => {
  const p = parsePairs(bytes('0\t5\r\n12\t340\n7\t0'), 'x.tsv');
  assert.deepEqual([...p.users], [0, 12, 7]);
  assert.deepEqual([...p.items], [5, 340, 0]);
});

test('parsePairs: an empty line in the middle, an empty id and an overflowing id are errors with their line', () => {
  assert.throws(() => parsePairs(bytes('0\t1\n\n2\t3\n'), 'x.tsv'), dataError(/^x\.tsv:2: empty line$/));
  assert.throws(() => parsePairs(bytes('0\t1\n\t3\n'), 'x.tsv'), dataError(/^x\.tsv:2: field "user": empty id$/));
  assert.throws(() => parsePairs(bytes('0\t99999999999\n'), 'x.tsv'), dataError(/^x\.tsv:1: field "item": id 99999999999 is too large/));
  assert.throws(() => parsePairs(bytes('0 1\n'), 'x.tsv'), dataError(/^x\.tsv:1: expected 2 tab-separated columns \(user, item\), got 1$/));
});

test('readIdMap: ids in any order, titles only when present', async () => {
  const path = join(tmp, 'map.tsv');
  writeFileSync(path, '2\tc\tThird\n0\ta\t\n1\tb\n');
  const m = await readIdMap(path);
  assert.deepEqual(m.rawIds, ['a', 'b', 'c']);
  assert.deepEqual(m.titles, [undefined, undefined, 'Third']);
  writeFileSync(path, '0\ta\n1\tb\n');
  assert.equal((await readIdMap(path)).titles, undefined);
});

test('readIdMap: duplicate id, duplicate raw id and out-of-range id name both lines or the range', async () => {
  const path = join(tmp, 'bad-map.tsv');
  writeFileSync(path, '0\ta\n0\tb\n');
  await assert.rejects(readIdMap(path), dataError(/bad-map\.tsv:2: field "id": duplicate id 0 \(first on line 1\)/));
  writeFileSync(path, '0\ta\n1\ta\n');
  await assert.rejects(readIdMap(path), dataError(/bad-map\.tsv:2: field "raw_id": raw id "a" already mapped to id 0 on line 1/));
  writeFileSync(path, '0\ta\n5\tb\n');
  await assert.rejects(readIdMap(path), dataError(/bad-map\.tsv:2: field "id": id 5 out of range: a map with 2 rows must use ids 0\.\.1/));
});

test('readLines: gzip spanning many chunks keeps every line and blames bad UTF-8 on the exact line', async () => {
  const n = 30_000;
  const lines = Array.from({ length: n }, (_, k) => `line ${k} — naïve ☕`);
  const good = join(tmp, 'many.txt.gz');
  writeFileSync(good, gzipSync(lines.join('\n') + '\n'));
  let count = 0, last = '';
  for await (const l of readLines(good)) {
    count++;
    last = l.text;
    assert.equal(l.line, count);
  }
  assert.equal(count, n);
  assert.equal(last, lines[n - 1]);

  const raw = Buffer.from(lines.join('\n'), 'utf8');
  const at = raw.indexOf(Buffer.from('line 25000 '));
  raw[at + 5] = 0xc3; // lead byte followed by an ASCII digit: invalid
  const bad = join(tmp, 'bad-utf8.txt.gz');
  writeFileSync(bad, gzipSync(raw));
  await assert.rejects(async () => {
    for await (const _ of readLines(bad));
  }, dataError(/bad-utf8\.txt\.gz:25001: invalid UTF-8 byte sequence/));
});

test('readLines: a missing file and a non-gzip .gz file are DataErrors', async () => {
  await assert.rejects(async () => {
    for await (const _ of readLines(join(tmp, 'absent.jsonl')));
  }, dataError(/absent\.jsonl: file not found/));
  const fake = join(tmp, 'fake.jsonl.gz');
  writeFileSync(fake, '{"a": 1}\n');
  await assert.rejects(async () => {
    for await (const _ of readLines(fake));
  }, dataError(/fake\.jsonl\.gz:1: corrupt or not gzip data/));
});

test('decodeUtf8: the slow path finds the bad line', () => {
  const buf = Buffer.concat([bytes('ok\nstill ok\n'), Buffer.from([0x61, 0xff, 0x62]), bytes('\nafter\n')]);
  assert.throws(() => decodeUtf8(buf, 'f.tsv'), dataError(/^f\.tsv:3: invalid UTF-8 byte sequence$/));
  assert.equal(decodeUtf8(bytes('é\n'), 'f.tsv'), 'é\n');
});

test('readJsonl: records validated in order; an empty line in the middle is an error', async () => {
  const path = join(tmp, 'r.jsonl');
  writeFileSync(path, '{"a": 1}\n{"a": 2}\n');
  const seen: [number, number][] = [];
  const n = await readJsonl(path, z.strictObject({ a: z.int() }), (r, line) => seen.push([r.a, line]));
  assert.equal(n, 2);
  assert.deepEqual(seen, [[1, 1], [2, 2]]);
  writeFileSync(path, '{"a": 1}\n\n{"a": 2}\n');
  await assert.rejects(readJsonl(path, z.strictObject({ a: z.int() }), () => {}), dataError(/r\.jsonl:2: empty line/));
  writeFileSync(path, '{"a": "x"}\n');
  await assert.rejects(readJsonl(path, z.strictObject({ a: z.int() }), () => {}), dataError(/r\.jsonl:1: field "a": Invalid input: expected number, received string/));
});

test('parseCsv: quoted delimiters, doubled quotes, newlines inside quotes and CRLF', () => {
  const text = '\ufeffuser,item,text\r\nu1,i1,"hello, world"\r\nu2,i2,"she said ""hi"""\nu3,i3,"two\nlines"\nu4,i4,\n\nu5,"i5",plain "quote"\n';
  const recs = parseCsv(text, 'r.csv');
  assert.deepEqual(
    recs.map((r) => [r.line, r.fields]),
    [
      [1, ['user', 'item', 'text']],
      [2, ['u1', 'i1', 'hello, world']],
      [3, ['u2', 'i2', 'she said "hi"']],
      [4, ['u3', 'i3', 'two\nlines']],
      [6, ['u4', 'i4', '']],
      [8, ['u5', 'i5', 'plain "quote"']],
    ],
  );
  assert.deepEqual(parseCsv('a;b\n"x;y";""', 'r.csv', { delimiter: ';' }).map((r) => r.fields), [['a', 'b'], ['x;y', '']]);
});

test('parseCsv: unterminated quote and text after a closing quote name their lines', () => {
  assert.throws(() => parseCsv('a,b\nx,"open\nmore\n', 'r.csv'), dataError(/^r\.csv:2: unterminated quoted field/));
  assert.throws(() => parseCsv('a,b\n"x\ny"z,1\n', 'r.csv'), dataError(/^r\.csv:3: unexpected "z" after a closing quote/));
});

test('readCsv: header width enforced per record', async () => {
  const path = join(tmp, 'w.csv');
  writeFileSync(path, 'a,b\n1,2\n"multi\nline",3\n4\n');
  await assert.rejects(readCsv(path), dataError(/w\.csv:5: expected 2 fields \(as in the header\), got 1/));
  writeFileSync(path, 'a,b\n1,2\n"multi\nline",3\n');
  const t = await readCsv(path);
  assert.deepEqual(t.header, ['a', 'b']);
  assert.deepEqual(t.records.map((r) => r.line), [2, 3]);
});
