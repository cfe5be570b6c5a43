import type { Store } from '../../data/store/store.js';
import { encodeWithStore } from './store.js';
import type { EncodeOptions, TextEncoder } from './types.js';

/**
 * The frozen text inputs of the model (method.md §B.1, §E.4): S (semantic prior, the embedding of a profile
 * or CoT summary) and M (textual motivation, the embedding of the motivation list), one row per entity,
 * with a has-text mask so the losses skip entities without text instead of aligning them to zeros.
 */
export interface TextMatrix {
  /** rows × dim, row-major; zero rows where hasText is 0. */
  matrix: Float32Array;
  /** 1 where the row carries an embedding of real text. */
  hasText: Uint8Array;
  dim: number;
  rows: number;
  stats: TextMatrixStats;
}

export interface TextMatrixStats {
  /** Rows with usable text. */
  withText: number;
  /** Rows without text: missing, blank, or the "None" an LLM writes when evidence is thin (§E.4). */
  empty: number;
  /** Rows with text whose embedding came out all zeros (e.g. no term known to a fitted tf-idf): masked. */
  zeroVector: number;
  /** Rows embedded in this call / taken unchanged from the store. */
  computed: number;
  reused: number;
}

/** The text an entity contributes, or undefined when it has none worth embedding. */
export function usableText(text: string | undefined | null): string | undefined {
  if (text === undefined || text === null) return undefined;
  const t = text.trim();
  if (t === '' || /^none\.?$/i.test(t)) return undefined;
  return t;
}

export interface BuildTextMatricesArgs extends EncodeOptions {
  /** One entry per entity (index = internal id); undefined, blank or "None" means no text. */
  texts: readonly (string | undefined)[];
  encoder: TextEncoder;
  /** Persist rows in the workspace store and reuse those whose text is unchanged. */
  cache?: { store: Store; collection: string };
}

/** Embed one text per entity into a masked matrix (S or M). The encoder must be ready (fitted if it fits). */
export async function buildTextMatrices(args: BuildTextMatricesArgs): Promise<TextMatrix> {
  const { encoder } = args;
  const texts = args.texts.map(usableText);
  const dim = encoder.dim;
  const n = texts.length;
  let matrix: Float32Array;
  let computed = 0, reused = 0;
  if (args.cache) {
    const r = await encodeWithStore(args.cache.store, args.cache.collection, encoder, texts, args);
    ({ vectors: matrix, computed, reused } = r);
  } else {
    const rows = texts.flatMap((t, i) => (t === undefined ? [] : [i]));
    const out = await encoder.encode(rows.map((i) => texts[i]!), args);
    matrix = new Float32Array(n * dim);
    rows.forEach((row, k) => matrix.set(out.subarray(k * dim, (k + 1) * dim), row * dim));
    computed = rows.length;
  }
  const hasText = new Uint8Array(n);
  const stats: TextMatrixStats = { withText: 0, empty: 0, zeroVector: 0, computed, reused };
  for (let i = 0; i < n; i++) {
    if (texts[i] === undefined) {
      stats.empty++;
      continue;
    }
    let nonzero = false;
    for (let j = 0; j < dim && !nonzero; j++) nonzero = matrix[i * dim + j] !== 0;
    if (nonzero) {
      hasText[i] = 1;
      stats.withText++;
    } else {
      stats.zeroVector++;
    }
  }
  return { matrix, hasText, dim, rows: n, stats };
}
