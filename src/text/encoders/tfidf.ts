import { z } from 'zod';
import type { SparseMatrix } from '../../tensor/linalg/sparse.js';
import { LmmrecError } from '../../util/errors.js';
import { tokenize, type TokenizeOptions } from './tokenize.js';

export const TfidfOptions = z.strictObject({
  /** Keep a term only if it occurs in at least this many documents. */
  minDf: z.int().positive().default(2),
  /** Drop terms occurring in more than this fraction of documents (1 keeps all). */
  maxDf: z.number().gt(0).max(1).default(1),
  /** Keep at most this many terms, the most frequent over the corpus (ties: alphabetical). */
  maxFeatures: z.int().positive().default(50_000),
  stopwords: z.boolean().default(true),
  bigrams: z.boolean().default(false),
  /** tf → 1 + ln tf, so a word repeated ten times does not count ten times as much. */
  sublinearTf: z.boolean().default(true),
});
export type TfidfOptions = z.infer<typeof TfidfOptions>;

/** A fitted vocabulary: term → column, with smoothed idf = ln((1 + n) / (1 + df)) + 1. */
export interface TfidfModel {
  readonly options: TfidfOptions;
  /** Terms in column order (sorted by UTF-16 code units, so the order never depends on a locale). */
  readonly vocab: readonly string[];
  readonly idf: Float64Array;
  readonly index: ReadonlyMap<string, number>;
}

export function tfidfModel(options: TfidfOptions, vocab: readonly string[], idf: Float64Array): TfidfModel {
  if (idf.length !== vocab.length) throw new LmmrecError('DATA', `tf-idf state: ${vocab.length} terms but ${idf.length} idf values`);
  return { options, vocab, idf, index: new Map(vocab.map((t, i) => [t, i])) };
}

/**
 * Fit the vocabulary and idf on `docs` and return the docs' own tf-idf rows too (tokenizing once).
 * Throws when no term survives the document-frequency limits (say which limits, so they can be loosened).
 */
export function fitTfidf(docs: readonly string[], options: TfidfOptions): { model: TfidfModel; matrix: SparseMatrix } {
  const tok: TokenizeOptions = options;
  const provisional = new Map<string, number>();
  const terms: string[] = [];
  const df: number[] = [];
  const cf: number[] = [];
  const docTerms: Int32Array[] = docs.map((text) => {
    const toks = tokenize(text, tok);
    const ids = new Int32Array(toks.length);
    toks.forEach((t, i) => {
      let id = provisional.get(t);
      if (id === undefined) {
        id = terms.length;
        provisional.set(t, id);
        terms.push(t);
        df.push(0);
        cf.push(0);
      }
      ids[i] = id;
      cf[id]++;
    });
    for (const id of new Set(ids)) df[id]++;
    return ids;
  });
  const n = docs.length;
  const maxDocs = options.maxDf * n;
  let kept = terms.map((_, id) => id).filter((id) => df[id] >= options.minDf && df[id] <= maxDocs);
  if (kept.length > options.maxFeatures) {
    kept.sort((a, b) => cf[b] - cf[a] || (terms[a] < terms[b] ? -1 : 1));
    kept = kept.slice(0, options.maxFeatures);
  }
  if (kept.length === 0) {
    throw new LmmrecError(
      'DATA',
      `tf-idf: no term occurs in at least minDf=${options.minDf} and at most maxDf=${options.maxDf} of the ${n} documents; lower minDf or fit on more text`,
    );
  }
  kept.sort((a, b) => (terms[a] < terms[b] ? -1 : 1));
  const remap = new Int32Array(terms.length).fill(-1);
  kept.forEach((id, col) => (remap[id] = col));
  const idf = Float64Array.from(kept, (id) => Math.log((1 + n) / (1 + df[id])) + 1);
  const model = tfidfModel(options, kept.map((id) => terms[id]), idf);
  return { model, matrix: rowsToCsr(docTerms.map((ids) => ids.map((id) => remap[id])), model) };
}

/** tf-idf rows of new texts under a fitted vocabulary; unknown terms are ignored. */
export function transformTfidf(model: TfidfModel, docs: readonly string[]): SparseMatrix {
  return rowsToCsr(
    docs.map((text) => Int32Array.from(tokenize(text, model.options), (t) => model.index.get(t) ?? -1)),
    model,
  );
}

/** Count term columns per row (skipping -1), weight tf × idf, L2-normalise each row. */
function rowsToCsr(rows: Int32Array[], model: TfidfModel): SparseMatrix {
  const indptr = new Int32Array(rows.length + 1);
  const cols: number[] = [];
  const vals: number[] = [];
  const counts = new Map<number, number>();
  rows.forEach((ids, r) => {
    counts.clear();
    for (const c of ids) if (c >= 0) counts.set(c, (counts.get(c) ?? 0) + 1);
    const sorted = [...counts.keys()].sort((a, b) => a - b);
    let norm2 = 0;
    const start = vals.length;
    for (const c of sorted) {
      const tf = counts.get(c)!;
      const w = (model.options.sublinearTf ? 1 + Math.log(tf) : tf) * model.idf[c];
      cols.push(c);
      vals.push(w);
      norm2 += w * w;
    }
    const inv = norm2 > 0 ? 1 / Math.sqrt(norm2) : 0;
    for (let e = start; e < vals.length; e++) vals[e] *= inv;
    indptr[r + 1] = vals.length;
  });
  return { rows: rows.length, cols: model.vocab.length, indptr, indices: Int32Array.from(cols), values: Float64Array.from(vals) };
}
