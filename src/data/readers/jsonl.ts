import { z } from 'zod';
import { DataError } from '../../util/errors.js';
import { readLines } from './line-reader.js';

const Id = z.int().nonnegative();

/** `user_profiles.jsonl(.gz)`: LLM-written user text. `orig_user` appears in sliced fixtures (id before re-mapping). */
export const UserProfileRecord = z.strictObject({
  user: Id,
  raw_id: z.string().optional(),
  orig_user: Id.optional(),
  profile: z.string(),
});
export type UserProfileRecord = z.infer<typeof UserProfileRecord>;

/** `item_profiles.jsonl(.gz)`: LLM-written item text (XRec's has no raw_id). */
export const ItemProfileRecord = z.strictObject({
  item: Id,
  raw_id: z.string().optional(),
  orig_item: Id.optional(),
  profile: z.string(),
});
export type ItemProfileRecord = z.infer<typeof ItemProfileRecord>;

/** `reviews.jsonl(.gz)`: one review per line; `time` is unix seconds. */
export const ReviewRecord = z.strictObject({
  user: Id,
  item: Id,
  rating: z.number().finite().optional(),
  text: z.string(),
  time: z.number().finite().optional(),
  summary: z.string().optional(),
  title: z.string().optional(),
  user_raw: z.string().optional(),
  item_raw: z.string().optional(),
});
export type ReviewRecord = z.infer<typeof ReviewRecord>;

/**
 * `items.jsonl(.gz)`: item metadata (Steam: genres, tags, price, …). Loose on purpose: metadata fields differ by
 * domain and are passed through untouched; only the join key and title are typed.
 */
export const ItemMetaRecord = z.looseObject({
  item: Id,
  title: z.string().optional(),
});
export type ItemMetaRecord = z.infer<typeof ItemMetaRecord>;

export interface JsonlOptions {
  signal?: AbortSignal;
}

/**
 * Stream a JSON Lines file (gzip'ed when it ends in .gz), validating each line with `schema` and handing it to
 * `onRecord` with its 1-based line. Returns the number of records. Empty files and empty lines are errors.
 */
export async function readJsonl<S extends z.ZodType>(
  path: string,
  schema: S,
  onRecord: (rec: z.infer<S>, line: number) => void,
  opts: JsonlOptions = {},
): Promise<number> {
  let count = 0;
  for await (const { text, line } of readLines(path, opts)) {
    if (text.trim() === '') throw new DataError({ file: path, line }, 'empty line (JSON Lines needs one object per line)');
    onRecord(parseJsonLine(text, schema, path, line), line);
    count++;
  }
  if (count === 0) throw new DataError({ file: path }, 'empty file (expected one JSON object per line)');
  return count;
}

/** Parse and validate one JSON line; the error names the first failing field. */
export function parseJsonLine<S extends z.ZodType>(text: string, schema: S, file: string, line: number): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new DataError({ file, line }, `invalid JSON: ${(e as Error).message}`);
  }
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.length ? issue.path.join('.') : undefined;
  throw new DataError({ file, line, field }, describeIssue(issue, value));
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.path.length && valueAt(value, issue.path) === undefined) {
    return `missing required field (expected ${issue.expected})`;
  }
  return issue.message;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}
