import { appendFileSync, cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tempDir } from '../helpers/temp-dir.js';

export const FIXTURES = resolve(import.meta.dirname, '..', 'fixtures');

/** A writable copy of a fixture dataset in a fresh temp dir. */
export function copyFixture(name: string): string {
  const dir = tempDir(name);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Replace 1-based line `n` of a text file. */
export function replaceLine(path: string, n: number, text: string): void {
  const lines = readFileSync(path, 'utf8').split('\n');
  lines[n - 1] = text;
  writeFileSync(path, lines.join('\n'));
}

/** One way a dataset folder can be broken, and what the DataError must say. */
export interface BadInputCase {
  name: string;
  fixture: 'tiny_amazon_book' | 'tiny_beauty';
  /** Break the copied folder. */
  breakIt(dir: string): void;
  /** File the message must name (basename). */
  file: string;
  /** Line the message must name (`file:line`); 'some' when any line is right; absent for whole-file problems. */
  line?: number | 'some';
  /** The problem, as a pattern over the message. */
  problem: RegExp;
}

const userMap = (dir: string): void => {
  const rows = readFileSync(join(dir, 'user_profiles.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { user: number; raw_id: string })
    .map((p) => `${p.user}\t${p.raw_id}`);
  writeFileSync(join(dir, 'user_map.tsv'), rows.join('\n') + '\n');
};

export const BAD_INPUT_CASES: BadInputCase[] = [
  {
    name: 'malformed TSV line (wrong column count)',
    fixture: 'tiny_amazon_book',
    breakIt: (d) => replaceLine(join(d, 'train.tsv'), 3, '0\t18\t1'),
    file: 'train.tsv',
    line: 3,
    problem: /expected 2 tab-separated columns \(user, item\), got 3/,
  },
  {
    name: 'non-integer id',
    fixture: 'tiny_amazon_book',
    breakIt: (d) => replaceLine(join(d, 'valid.tsv'), 2, '0\t3.5'),
    file: 'valid.tsv',
    line: 2,
    problem: /field "item": not a non-negative integer id: "3\.5"/,
  },
  {
    name: 'negative id',
    fixture: 'tiny_amazon_book',
    breakIt: (d) => replaceLine(join(d, 'test.tsv'), 1, '-1\t388'),
    file: 'test.tsv',
    line: 1,
    problem: /field "user": negative id -1/,
  },
  {
    name: 'id beyond the map',
    fixture: 'tiny_amazon_book',
    breakIt: (d) => {
      userMap(d);
      appendFileSync(join(d, 'train.tsv'), '40\t13\n');
    },
    file: 'train.tsv',
    line: 307,
    problem: /user id 40 is beyond user_map\.tsv \(40 users, ids 0\.\.39\)/,
  },
  {
    name: 'duplicate interaction within a split',
    fixture: 'tiny_amazon_book',
    breakIt: (d) => appendFileSync(join(d, 'train.tsv'), '0\t17\n'),
    file: 'train.tsv',
    line: 307,
    problem: /duplicate interaction \(user 0, item 17\): also on line 2/,
  },
  {
    name: 'overlapping splits (same pair in train and test)',
    fixture: 'tiny_amazon_book',
    breakIt: (d) => appendFileSync(join(d, 'train.tsv'), '0\t388\n'),
    file: 'test.tsv',
    line: 1,
    problem: /interaction \(user 0, item 388\) is also at \S*train\.tsv:307; splits must be disjoint/,
  },
  {
    name: 'empty file',
    fixture: 'tiny_beauty',
    breakIt: (d) => writeFileSync(join(d, 'valid.tsv'), ''),
    file: 'valid.tsv',
    problem: /empty file/,
  },
  {
    name: 'truncated gzip',
    fixture: 'tiny_amazon_book',
    breakIt: (d) => {
      const plain = join(d, 'item_profiles.jsonl');
      const gz = gzipSync(readFileSync(plain));
      writeFileSync(`${plain}.gz`, gz.subarray(0, gz.length >> 1));
      rmSync(plain);
    },
    file: 'item_profiles.jsonl.gz',
    // Where the data stops depends on zlib's chunking; the line is the one being read when it ran out.
    line: 'some',
    problem: /gzip data ends unexpectedly \(truncated file\?\)/,
  },
  {
    name: 'invalid JSON line',
    fixture: 'tiny_amazon_book',
    breakIt: (d) => replaceLine(join(d, 'user_profiles.jsonl'), 5, '{"user": 4, "profile": '),
    file: 'user_profiles.jsonl',
    line: 5,
    problem: /invalid JSON: /,
  },
  {
    name: 'invalid UTF-8',
    fixture: 'tiny_beauty',
    breakIt: (d) => {
      const p = join(d, 'reviews.jsonl');
      const lines = readFileSync(p).toString('latin1').split('\n');
      lines[6] = lines[6].replace('"text": "', '"text": "caf\xe9 ');
      writeFileSync(p, Buffer.from(lines.join('\n'), 'latin1'));
    },
    file: 'reviews.jsonl',
    line: 7,
    problem: /invalid UTF-8 byte sequence/,
  },
  {
    name: 'missing required field',
    fixture: 'tiny_beauty',
    breakIt: (d) => {
      const p = join(d, 'reviews.jsonl');
      const lines = readFileSync(p, 'utf8').split('\n');
      const rec = JSON.parse(lines[2]) as Record<string, unknown>;
      delete rec.text;
      lines[2] = JSON.stringify(rec);
      writeFileSync(p, lines.join('\n'));
    },
    file: 'reviews.jsonl',
    line: 3,
    problem: /field "text": missing required field/,
  },
  {
    name: 'profile for an entity outside the dataset',
    fixture: 'tiny_amazon_book',
    breakIt: (d) => appendFileSync(join(d, 'user_profiles.jsonl'), '{"user": 40, "profile": "x"}\n'),
    file: 'user_profiles.jsonl',
    line: 41,
    problem: /field "user": user id 40 is beyond the dataset \(40 users, ids 0\.\.39\)/,
  },
  {
    name: 'raw id disagreeing with the map',
    fixture: 'tiny_amazon_book',
    breakIt: (d) => {
      userMap(d);
      replaceLine(join(d, 'user_map.tsv'), 2, '1\tSOMEONE_ELSE');
    },
    file: 'user_profiles.jsonl',
    line: 2,
    problem: /field "raw_id": "A367P14LLL3HI8" disagrees with user_map\.tsv, which maps user 1 to "SOMEONE_ELSE"/,
  },
  {
    name: 'unknown field in a record',
    fixture: 'tiny_amazon_book',
    breakIt: (d) => replaceLine(join(d, 'item_profiles.jsonl'), 4, '{"item": 3, "profile": "x", "profil": "y"}'),
    file: 'item_profiles.jsonl',
    line: 4,
    problem: /unknown field\(s\) "profil"/,
  },
  {
    name: 'missing train.tsv',
    fixture: 'tiny_beauty',
    breakIt: (d) => rmSync(join(d, 'train.tsv')),
    file: 'train.tsv',
    problem: /required file is missing/,
  },
];

/** The pattern a case's error message must match: `file:line: [field "x": ]problem`. */
export function expectedMessage(c: BadInputCase): RegExp {
  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const where = c.line === undefined ? `${esc(c.file)}: ` : c.line === 'some' ? `${esc(c.file)}:\\d+: ` : `${esc(c.file)}:${c.line}: `;
  return new RegExp(where + '(field "[^"]*": )?' + c.problem.source);
}
