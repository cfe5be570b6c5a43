import { DataError } from '../../util/errors.js';
import { decodeUtf8, readBytes } from './line-reader.js';

/** One CSV record and the 1-based line it starts on (a quoted field may span lines). */
export interface CsvRecord {
  readonly fields: string[];
  readonly line: number;
}

export interface CsvTable {
  readonly file: string;
  readonly header: string[];
  /** Data records (header excluded), each with exactly header.length fields. */
  readonly records: CsvRecord[];
}

export interface CsvOptions {
  /** Field separator, one character (default ','). */
  delimiter?: string;
}

const QUOTE = 0x22;
const NL = 0x0a;
const CR = 0x0d;

/**
 * RFC 4180 CSV: fields separated by `delimiter`, records by LF or CRLF; a field starting with '"' is quoted,
 * may contain delimiters and line breaks, and writes '"' as '""'. Two liberties, as Python's csv module
 * takes: a '"' inside an unquoted field is kept literally, and blank lines between records are skipped.
 * A leading UTF-8 BOM is dropped.
 */
export function parseCsv(text: string, file: string, opts: CsvOptions = {}): CsvRecord[] {
  const delimiter = opts.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new DataError({ file }, `invalid CSV delimiter ${JSON.stringify(delimiter)}`);
  }
  const delim = delimiter.charCodeAt(0);
  const n = text.length;
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < n) {
    const c0 = text.charCodeAt(i);
    if (c0 === NL || (c0 === CR && text.charCodeAt(i + 1) === NL)) {
      i += c0 === NL ? 1 : 2;
      line++;
      continue;
    }
    const start = line;
    const fields: string[] = [];
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        const quoteLine = line;
        let value = '';
        let from = i + 1;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q < 0) throw new DataError({ file, line: quoteLine }, 'unterminated quoted field (missing closing ")');
          for (let k = from; k < q; k++) if (text.charCodeAt(k) === NL) line++;
          value += text.slice(from, q);
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += '"';
            from = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        fields.push(value);
        if (i >= n) break;
        const c = text.charCodeAt(i);
        if (c === delim) {
          i++;
          continue;
        }
        if (c === NL || (c === CR && text.charCodeAt(i + 1) === NL)) {
          i += c === NL ? 1 : 2;
          line++;
          break;
        }
        throw new DataError({ file, line }, `unexpected ${JSON.stringify(text[i])} after a closing quote (a quote inside a quoted field must be doubled: "")`);
      }
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === delim || c === NL) break;
        j++;
      }
      const end = j > i && text.charCodeAt(j - 1) === CR && (j === n || text.charCodeAt(j) === NL) ? j - 1 : j;
      fields.push(text.slice(i, end));
      if (j >= n) {
        i = n;
        break;
      }
      i = j + 1;
      if (text.charCodeAt(j) === NL) {
        line++;
        break;
      }
    }
    records.push({ fields, line: start });
  }
  return records;
}

/** Read a CSV file (gzip'ed if .gz) whose first record is the header; every record must match its width. */
export async function readCsv(path: string, opts: CsvOptions = {}): Promise<CsvTable> {
  const records = parseCsv(decodeUtf8(await readBytes(path), path), path, opts);
  if (records.length === 0) throw new DataError({ file: path }, 'empty file (expected a header line)');
  const [head, ...rest] = records;
  const seen = new Set<string>();
  for (const name of head.fields) {
    if (seen.has(name)) throw new DataError({ file: path, line: head.line }, `duplicate column ${JSON.stringify(name)} in header`);
    seen.add(name);
  }
  for (const r of rest) {
    if (r.fields.length !== head.fields.length) {
      throw new DataError({ file: path, line: r.line }, `expected ${head.fields.length} fields (as in the header), got ${r.fields.length}`);
    }
  }
  return { file: path, header: head.fields, records: rest };
}
