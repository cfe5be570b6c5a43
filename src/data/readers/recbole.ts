import { DataError } from '../../util/errors.js';
import { readLines } from './line-reader.js';
import { RawBuilder, type RawInteractions } from './raw.js';

/**
 * RecBole atomic files (`.inter`, `.item`, `.user`): tab-separated, first line a typed header
 * `name:type` with type token | token_seq | float | float_seq; sequences are space-separated; no quoting.
 * An empty cell is a missing value.
 */
export type RecboleType = 'token' | 'token_seq' | 'float' | 'float_seq';
export interface RecboleField {
  readonly name: string;
  readonly type: RecboleType;
}
export type RecboleValue = string | number | string[] | number[] | undefined;

export interface RecboleTable {
  readonly file: string;
  readonly fields: RecboleField[];
  readonly rows: RecboleValue[][];
  /** 1-based source line of each row. */
  readonly lines: Int32Array;
}

/** Field names of an `.inter` file; defaults are RecBole's (`user_id`, `item_id`, `rating`, `timestamp`). */
export interface RecboleInterMapping {
  user?: string;
  item?: string;
  /** Default `rating` when the header has it; `null` ignores a rating column. */
  rating?: string | null;
  /** Default `timestamp` when the header has it; `null` ignores it. */
  time?: string | null;
  /** A token field holding review text, if any (no default). */
  text?: string;
}

const TYPES: readonly RecboleType[] = ['token', 'token_seq', 'float', 'float_seq'];

/** Stream an atomic file, calling `onRow` with the typed values of each data line. */
export async function forEachRecboleRow(
  path: string,
  onHeader: (fields: RecboleField[]) => void,
  onRow: (values: RecboleValue[], line: number) => void,
  opts: { signal?: AbortSignal } = {},
): Promise<void> {
  let fields: RecboleField[] | undefined;
  for await (const { text, line } of readLines(path, opts)) {
    if (!fields) {
      fields = parseHeader(text, path);
      onHeader(fields);
      continue;
    }
    if (text === '') throw new DataError({ file: path, line }, 'empty line');
    const cells = text.split('\t');
    if (cells.length !== fields.length) throw new DataError({ file: path, line }, `expected ${fields.length} tab-separated columns (as in the header), got ${cells.length}`);
    onRow(cells.map((c, k) => parseCell(c, fields![k], path, line)), line);
  }
  if (!fields) throw new DataError({ file: path }, 'empty file (expected a header line like user_id:token<TAB>item_id:token)');
}

/** Read a whole atomic file (`.item`, `.user`, or a small `.inter`) into a table. */
export async function readRecboleAtomic(path: string, opts: { signal?: AbortSignal } = {}): Promise<RecboleTable> {
  let fields: RecboleField[] = [];
  const rows: RecboleValue[][] = [];
  const lines: number[] = [];
  await forEachRecboleRow(
    path,
    (f) => (fields = f),
    (values, line) => {
      rows.push(values);
      lines.push(line);
    },
    opts,
  );
  return { file: path, fields, rows, lines: Int32Array.from(lines) };
}

/** Stream a `.inter` file into raw interactions (raw ids kept as strings; dense ids come later). */
export async function readRecboleInter(path: string, mapping: RecboleInterMapping = {}, opts: { signal?: AbortSignal } = {}): Promise<RawInteractions> {
  let builder: RawBuilder | undefined;
  let col: Record<'user' | 'item' | 'rating' | 'time' | 'text', number> | undefined;
  let names: Record<string, string> = {};
  await forEachRecboleRow(
    path,
    (fields) => {
      const at = (name: string | null | undefined, required: boolean, slot: string): number => {
        if (name === null || name === undefined) return -1;
        const k = fields.findIndex((f) => f.name === name);
        if (k < 0 && required) throw new DataError({ file: path, line: 1, field: name }, `${slot} field not in header (fields: ${fields.map((f) => f.name).join(', ')})`);
        return k;
      };
      const has = (name: string) => fields.some((f) => f.name === name);
      const ratingName = mapping.rating === undefined ? (has('rating') ? 'rating' : null) : mapping.rating;
      const timeName = mapping.time === undefined ? (has('timestamp') ? 'timestamp' : null) : mapping.time;
      col = {
        user: at(mapping.user ?? 'user_id', true, 'user'),
        item: at(mapping.item ?? 'item_id', true, 'item'),
        rating: at(ratingName, true, 'rating'),
        time: at(timeName, true, 'time'),
        text: at(mapping.text, true, 'text'),
      };
      for (const slot of ['user', 'item', 'text'] as const) {
        const k = col[slot];
        if (k >= 0 && fields[k].type !== 'token') throw new DataError({ file: path, line: 1, field: fields[k].name }, `${slot} field must be of type token, got ${fields[k].type}`);
      }
      for (const slot of ['rating', 'time'] as const) {
        const k = col[slot];
        if (k >= 0 && fields[k].type !== 'float') throw new DataError({ file: path, line: 1, field: fields[k].name }, `${slot} field must be of type float, got ${fields[k].type}`);
      }
      names = Object.fromEntries(Object.entries(col).map(([slot, k]) => [slot, k >= 0 ? fields[k].name : slot]));
      builder = new RawBuilder(path, { rating: col.rating >= 0, time: col.time >= 0, text: col.text >= 0 });
    },
    (values, line) => builder!.push(line, (slot) => values[col![slot]], (slot) => names[slot]),
    opts,
  );
  return builder!.finish();
}

/**
 * Text per entity from a `.item`/`.user` table: the named fields joined as `field: value` lines, for entities
 * that have any of them. Sequences are joined with ', '.
 */
export function recboleTexts(table: RecboleTable, idField: string, textFields: string[]): Map<string, string> {
  const idCol = columnOf(table, idField);
  const cols = textFields.map((f) => columnOf(table, f));
  const out = new Map<string, string>();
  table.rows.forEach((row, r) => {
    const id = row[idCol];
    if (typeof id !== 'string') throw new DataError({ file: table.file, line: table.lines[r], field: idField }, 'missing id');
    if (out.has(id)) throw new DataError({ file: table.file, line: table.lines[r], field: idField }, `duplicate id ${JSON.stringify(id)}`);
    const parts: string[] = [];
    cols.forEach((c, k) => {
      const v = row[c];
      if (v === undefined) return;
      parts.push(`${textFields[k]}: ${Array.isArray(v) ? v.join(', ') : String(v)}`);
    });
    if (parts.length) out.set(id, parts.join('\n'));
  });
  return out;
}

function columnOf(table: RecboleTable, name: string): number {
  const k = table.fields.findIndex((f) => f.name === name);
  if (k < 0) throw new DataError({ file: table.file, line: 1, field: name }, `field not in header (fields: ${table.fields.map((f) => f.name).join(', ')})`);
  return k;
}

function parseHeader(text: string, file: string): RecboleField[] {
  const fields = text.split('\t').map((h): RecboleField => {
    const colon = h.lastIndexOf(':');
    const name = colon < 0 ? h : h.slice(0, colon);
    const type = colon < 0 ? '' : h.slice(colon + 1);
    if (!name || !(TYPES as readonly string[]).includes(type)) {
      throw new DataError({ file, line: 1, field: h }, `header cells must be name:type with type one of ${TYPES.join(', ')}`);
    }
    return { name, type: type as RecboleType };
  });
  const seen = new Set<string>();
  for (const f of fields) {
    if (seen.has(f.name)) throw new DataError({ file, line: 1, field: f.name }, 'duplicate field in header');
    seen.add(f.name);
  }
  return fields;
}

function parseCell(cell: string, field: RecboleField, file: string, line: number): RecboleValue {
  if (cell === '') return undefined;
  switch (field.type) {
    case 'token':
      return cell;
    case 'token_seq':
      return cell.split(' ').filter((t) => t !== '');
    case 'float':
      return parseFloatCell(cell, field, file, line);
    case 'float_seq':
      return cell.split(' ').filter((t) => t !== '').map((t) => parseFloatCell(t, field, file, line));
  }
}

function parseFloatCell(s: string, field: RecboleField, file: string, line: number): number {
  const x = Number(s);
  if (s.trim() === '' || !Number.isFinite(x)) throw new DataError({ file, line, field: field.name }, `not a number: ${JSON.stringify(s)}`);
  return x;
}
