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
