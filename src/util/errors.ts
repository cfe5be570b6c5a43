/**
 * Errors that users see. Every input problem names where it is (file, line, field) so a user can fix the
 * file without reading our code; the CLI maps `code` to an exit status in one place (cli/main.ts).
 */
export type ErrorCode = 'DATA' | 'CONFIG' | 'USAGE' | 'STORE' | 'LLM' | 'NUMERIC' | 'ABORTED' | 'INTERNAL';

export class LmmrecError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LmmrecError';
  }
}

export interface Location {
  file: string;
  /** 1-based line number; omitted for whole-file problems (empty file, unreadable gzip). */
  line?: number;
  /** Column or JSON field name, when the problem is in one field. */
  field?: string;
}

/** Bad input data. The message reads `file:line: field "x": problem`. */
export class DataError extends LmmrecError {
  constructor(
    readonly where: Location,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super('DATA', `${formatLocation(where)}: ${problem}`, options);
    this.name = 'DataError';
  }
}

/** Bad configuration: unknown key, wrong type, value out of range. */
export class ConfigError extends LmmrecError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG', message, options);
    this.name = 'ConfigError';
  }
}

export function formatLocation({ file, line, field }: Location): string {
  let s = file;
  if (line !== undefined) s += `:${line}`;
  if (field !== undefined) s += `: field "${field}"`;
  return s;
}
