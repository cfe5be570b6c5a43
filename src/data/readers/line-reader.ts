import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip, gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { DataError } from '../../util/errors.js';

/** One decoded line; `line` is 1-based. */
export interface Line {
  readonly text: string;
  readonly line: number;
}

const gunzipAsync = promisify(gunzip);
const NL = 0x0a;
const CR = 0x0d;

export function isGzip(path: string): boolean {
  return path.endsWith('.gz');
}

/**
 * Stream the lines of a (possibly gzip'ed) UTF-8 file. Bytes are split on '\n' before decoding, which is
 * exact for UTF-8 (0x0A never occurs inside a multi-byte sequence), so an invalid sequence is blamed on the
 * right line. A trailing '\r' is dropped; the empty piece after a final '\n' is not a line.
 */
export async function* readLines(path: string, opts: { signal?: AbortSignal } = {}): AsyncGenerator<Line> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const src = createReadStream(path);
  const stream = isGzip(path) ? pipeline(src, createGunzip(), () => {}) : src;
  let carry: Buffer[] = [];
  let line = 0;
  const decode = (bytes: Uint8Array): string => {
    line++;
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CR) end--;
    try {
      return decoder.decode(bytes.subarray(0, end));
    } catch {
      throw new DataError({ file: path, line }, 'invalid UTF-8 byte sequence');
    }
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      opts.signal?.throwIfAborted();
      let start = 0;
      for (let nl = chunk.indexOf(NL, start); nl >= 0; nl = chunk.indexOf(NL, start)) {
        const piece = chunk.subarray(start, nl);
        const bytes = carry.length ? Buffer.concat([...carry, piece]) : piece;
        carry = [];
        yield { text: decode(bytes), line };
        start = nl + 1;
      }
      if (start < chunk.length) carry.push(chunk.subarray(start));
    }
  } catch (e) {
    throw readError(e, path, line);
  }
  if (carry.length) yield { text: decode(Buffer.concat(carry)), line };
}

/** Read a whole (possibly gzip'ed) file into memory, mapping I/O and gzip failures to DataError. */
export async function readBytes(path: string): Promise<Buffer> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw readError(e, path, 0);
  }
  if (!isGzip(path)) return buf;
  try {
    return await gunzipAsync(buf);
  } catch (e) {
    throw readError(e, path, undefined);
  }
}

/**
 * Decode a whole buffer as UTF-8. The fast path decodes at once; only on failure is the file re-scanned line by
 * line to find the line holding the bad bytes.
 */
export function decodeUtf8(buf: Uint8Array, file: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let start = 0;
    for (let line = 1; start <= buf.length; line++) {
      let end = buf.indexOf(NL, start);
      if (end < 0) end = buf.length;
      try {
        decoder.decode(buf.subarray(start, end));
      } catch {
        throw new DataError({ file, line }, 'invalid UTF-8 byte sequence');
      }
      start = end + 1;
    }
    throw new DataError({ file }, 'invalid UTF-8 byte sequence');
  }
}

/** Split decoded text into lines (dropping '\r' and the empty piece after a final '\n'). */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/**
 * Turn a filesystem or zlib failure into a DataError. For gzip, `linesDone` says how far reading got, so a
 * truncated download is reported at the line where the data stops.
 */
function readError(e: unknown, file: string, linesDone: number | undefined): unknown {
  if (e instanceof DataError) return e;
  const err = e as NodeJS.ErrnoException;
  const line = linesDone === undefined ? undefined : linesDone + 1;
  switch (err?.code) {
    case 'ENOENT':
      return new DataError({ file }, 'file not found', { cause: e });
    case 'EISDIR':
      return new DataError({ file }, 'is a directory, expected a file', { cause: e });
    case 'Z_BUF_ERROR':
      return new DataError({ file, line }, 'gzip data ends unexpectedly (truncated file?)', { cause: e });
    case 'Z_DATA_ERROR':
      return new DataError({ file, line }, `corrupt or not gzip data: ${err.message}`, { cause: e });
    default:
      return e;
  }
}
