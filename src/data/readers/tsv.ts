import { DataError } from '../../util/errors.js';
import { decodeUtf8, readBytes, splitLines } from './line-reader.js';

/** Interactions of one split file, in file order: record k is on line k + 1. */
export interface Pairs {
  readonly file: string;
  readonly users: Int32Array;
  readonly items: Int32Array;
}

/** An id map: index = internal id. */
export interface IdMap {
  readonly file: string;
  readonly rawIds: string[];
  /** Present when at least one row has a non-empty third column. */
  readonly titles?: (string | undefined)[];
}

const TAB = 0x09;
const NL = 0x0a;
const CR = 0x0d;
const ZERO = 0x30;
const MAX_ID = 0x7fffffff;

/** Read a `user<TAB>item` split file (0-based ints, no header). */
export async function readPairsTsv(path: string): Promise<Pairs> {
  return parsePairs(await readBytes(path), path);
}

/**
 * Parse `user<TAB>item` lines straight from bytes: one pass to count lines, one to parse, no per-line strings.
 * Anything but two columns of non-negative decimal integers is an error naming the line.
 */
export function parsePairs(buf: Uint8Array, file: string): Pairs {
  const len = buf.length;
  if (len === 0) throw new DataError({ file }, 'empty file (expected user<TAB>item lines)');
  let n = 0;
  for (let i = 0; i < len; i++) if (buf[i] === NL) n++;
  if (buf[len - 1] !== NL) n++;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  let pos = 0;
  for (let k = 0; k < n; k++) {
    const line = k + 1;
    let end = buf.indexOf(NL, pos);
    if (end < 0) end = len;
    const stop = end > pos && buf[end - 1] === CR ? end - 1 : end;
    let tab = -1;
    let tabs = 0;
    for (let i = pos; i < stop; i++) {
      if (buf[i] === TAB) {
        tabs++;
        if (tab < 0) tab = i;
      }
    }
    if (tabs !== 1) {
      const problem = stop === pos ? 'empty line' : `expected 2 tab-separated columns (user, item), got ${tabs + 1}`;
      throw new DataError({ file, line }, problem);
    }
    users[k] = parseId(buf, pos, tab, file, line, 'user');
    items[k] = parseId(buf, tab + 1, stop, file, line, 'item');
    pos = end + 1;
  }
  return { file, users, items };
}

function parseId(buf: Uint8Array, start: number, end: number, file: string, line: number, field: string): number {
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = buf[i] - ZERO;
    if (d < 0 || d > 9) throw new DataError({ file, line, field }, badIdProblem(buf, start, end));
    v = v * 10 + d;
  }
  if (start === end) throw new DataError({ file, line, field }, 'empty id');
  if (v > MAX_ID) throw new DataError({ file, line, field }, `id ${v} is too large (max ${MAX_ID})`);
  return v;
}

function badIdProblem(buf: Uint8Array, start: number, end: number): string {
  const raw = Buffer.from(buf.subarray(start, end)).toString('utf8');
  if (/^-\d+$/.test(raw)) return `negative id ${raw} (ids are 0-based)`;
  return `not a non-negative integer id: ${JSON.stringify(raw)}`;
}

/**
 * Read `id<TAB>raw_id[<TAB>title]`. Ids may come in any order but must be exactly 0..n-1, each once, and raw
 * ids must be unique (a map is a bijection; two ids for one raw id would split its interactions).
 */
export async function readIdMap(path: string): Promise<IdMap> {
  const lines = splitLines(decodeUtf8(await readBytes(path), path));
  const file = path;
  if (lines.length === 0) throw new DataError({ file }, 'empty file (expected id<TAB>raw_id lines)');
  const n = lines.length;
  const rawIds = new Array<string>(n).fill('');
  const titles = new Array<string | undefined>(n).fill(undefined);
  const lineOfId = new Int32Array(n);
  const idOfRaw = new Map<string, number>();
  let anyTitle = false;
  for (let k = 0; k < n; k++) {
    const line = k + 1;
    const cols = lines[k].split('\t');
    if (cols.length < 2 || cols.length > 3) {
      throw new DataError({ file, line }, `expected 2 or 3 tab-separated columns (id, raw_id[, title]), got ${cols.length}`);
    }
    const id = parseMapId(cols[0], file, line, n);
    if (lineOfId[id] !== 0) throw new DataError({ file, line, field: 'id' }, `duplicate id ${id} (first on line ${lineOfId[id]})`);
    lineOfId[id] = line;
    const raw = cols[1];
    if (raw === '') throw new DataError({ file, line, field: 'raw_id' }, 'empty raw id');
    const prev = idOfRaw.get(raw);
    if (prev !== undefined) {
      throw new DataError({ file, line, field: 'raw_id' }, `raw id ${JSON.stringify(raw)} already mapped to id ${prev} on line ${lineOfId[prev]}`);
    }
    idOfRaw.set(raw, id);
    rawIds[id] = raw;
    const title = cols[2];
    if (title) {
      titles[id] = title;
      anyTitle = true;
    }
  }
  return anyTitle ? { file, rawIds, titles } : { file, rawIds };
}

function parseMapId(s: string, file: string, line: number, n: number): number {
  if (!/^\d+$/.test(s)) {
    const problem = /^-\d+$/.test(s) ? `negative id ${s} (ids are 0-based)` : `not a non-negative integer id: ${JSON.stringify(s)}`;
    throw new DataError({ file, line, field: 'id' }, problem);
  }
  const id = Number(s);
  if (id >= n) throw new DataError({ file, line, field: 'id' }, `id ${id} out of range: a map with ${n} rows must use ids 0..${n - 1}`);
  return id;
}
