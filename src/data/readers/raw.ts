import { z } from 'zod';
import { ConfigError, DataError } from '../../util/errors.js';
import { readCsv } from './csv.js';
import { parseJsonLine } from './jsonl.js';
import { readLines } from './line-reader.js';

/**
 * Interactions as the user's file states them: raw string ids, optional rating/time/text, one entry per
 * record in parallel arrays. Readers (RecBole atomic, CSV, JSONL) produce this; `data/preprocess/` turns it
 * into dense ids and splits. `lines` keeps the 1-based source line of every record so later stages can
 * still name the offending line.
 */
export interface RawInteractions {
  readonly users: string[];
  readonly items: string[];
  readonly ratings?: Float64Array;
  readonly times?: Float64Array;
  readonly texts?: (string | undefined)[];
  readonly lines: Int32Array;
  readonly file: string;
}

/** Which column (CSV) or top-level field (JSONL) holds each value. */
export const ColumnMapping = z.strictObject({
  user: z.string().min(1),
  item: z.string().min(1),
  rating: z.string().min(1).optional(),
  time: z.string().min(1).optional(),
  text: z.string().min(1).optional(),
});
export type ColumnMapping = z.infer<typeof ColumnMapping>;

export interface RawReadOptions {
  /** Default: from the extension (.csv, .tsv → csv with a tab; .jsonl, .json → jsonl; a trailing .gz is allowed). */
  format?: 'csv' | 'jsonl';
  /** CSV field separator (default ',' for .csv, tab for .tsv). */
  delimiter?: string;
  signal?: AbortSignal;
}

type Slot = keyof ColumnMapping;

/**
 * Collects records into the parallel arrays of RawInteractions, converting and checking each value. A
 * mapped rating or time must be present on every record; a missing text is recorded as undefined.
 */
export class RawBuilder {
  private readonly users: string[] = [];
  private readonly items: string[] = [];
  private readonly ratings: number[] = [];
  private readonly times: number[] = [];
  private readonly texts: (string | undefined)[] = [];
  private readonly lines: number[] = [];

  constructor(
    readonly file: string,
    private readonly has: { rating: boolean; time: boolean; text: boolean },
  ) {}

  /** `get(slot)` returns the raw value of a mapped slot, or undefined when the record lacks it. */
  push(line: number, get: (slot: Slot) => unknown, name: (slot: Slot) => string): void {
    const field = (slot: Slot): { file: string; line: number; field: string } => ({ file: this.file, line, field: name(slot) });
    this.users.push(idValue(get('user'), field('user')));
    this.items.push(idValue(get('item'), field('item')));
    if (this.has.rating) this.ratings.push(numberValue(get('rating'), field('rating')));
    if (this.has.time) this.times.push(timeValue(get('time'), field('time')));
    if (this.has.text) {
      const t = get('text');
      if (t !== undefined && t !== null && typeof t !== 'string') throw new DataError(field('text'), `expected a string, got ${typeof t}`);
      this.texts.push(t === '' || t === null ? undefined : (t as string | undefined));
    }
    this.lines.push(line);
  }

  finish(): RawInteractions {
    if (this.lines.length === 0) throw new DataError({ file: this.file }, 'no interaction records');
    return {
      file: this.file,
      users: this.users,
      items: this.items,
      ...(this.has.rating && { ratings: Float64Array.from(this.ratings) }),
      ...(this.has.time && { times: Float64Array.from(this.times) }),
      ...(this.has.text && { texts: this.texts }),
      lines: Int32Array.from(this.lines),
    };
  }
}

/** Read raw interactions from a CSV or JSON Lines file through a column mapping. */
export async function readRawInteractions(path: string, mapping: ColumnMapping, opts: RawReadOptions = {}): Promise<RawInteractions> {
  const parsed = ColumnMapping.safeParse(mapping);
  if (!parsed.success) throw new ConfigError(`column mapping: ${z.prettifyError(parsed.error)}`);
  const m = parsed.data;
  const has = { rating: m.rating !== undefined, time: m.time !== undefined, text: m.text !== undefined };
  const builder = new RawBuilder(path, has);
  const name = (slot: Slot): string => m[slot] as string;
  const format = opts.format ?? formatOf(path);
  if (format === 'csv') {
    const delimiter = opts.delimiter ?? (/\.tsv(\.gz)?$/.test(path) ? '\t' : ',');
    const table = await readCsv(path, { delimiter });
    const col = {} as Record<Slot, number>;
    for (const slot of ['user', 'item', 'rating', 'time', 'text'] as const) {
      const c = m[slot];
      if (c === undefined) continue;
      col[slot] = table.header.indexOf(c);
      if (col[slot] < 0) throw new DataError({ file: path, line: 1, field: c }, `mapped ${slot} column not in header (columns: ${table.header.join(', ')})`);
    }
    for (const r of table.records) {
      builder.push(r.line, (slot) => r.fields[col[slot]], name);
    }
  } else {
    const Obj = z.record(z.string(), z.unknown());
    for await (const { text, line } of readLines(path, opts)) {
      if (text.trim() === '') throw new DataError({ file: path, line }, 'empty line (JSON Lines needs one object per line)');
      const rec = parseJsonLine(text, Obj, path, line);
      builder.push(line, (slot) => rec[m[slot] as string], name);
    }
  }
  return builder.finish();
}

function formatOf(path: string): 'csv' | 'jsonl' {
  const p = path.replace(/\.gz$/, '');
  if (/\.(csv|tsv)$/.test(p)) return 'csv';
  if (/\.(jsonl|json|ndjson)$/.test(p)) return 'jsonl';
  throw new DataError({ file: path }, 'cannot tell the format from the extension; pass format: "csv" or "jsonl"');
}

function idValue(v: unknown, where: { file: string; line: number; field: string }): string {
  if (v === undefined || v === null || v === '') throw new DataError(where, 'missing required field');
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return String(v);
  throw new DataError(where, `expected a string or integer id, got ${JSON.stringify(v)}`);
}

function numberValue(v: unknown, where: { file: string; line: number; field: string }): number {
  if (v === undefined || v === null || v === '') throw new DataError(where, 'missing required field');
  const x = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : NaN;
  if (!Number.isFinite(x) || (typeof v === 'string' && v.trim() === '')) throw new DataError(where, `not a number: ${JSON.stringify(v)}`);
  return x;
}

/** Unix seconds as a number, or an ISO 8601 date/time string (converted to unix seconds). */
function timeValue(v: unknown, where: { file: string; line: number; field: string }): number {
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v)) {
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) throw new DataError(where, `invalid ISO date ${JSON.stringify(v)}`);
    return ms / 1000;
  }
  return numberValue(v, where);
}
