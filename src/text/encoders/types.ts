/** Progress of a long encode/fit: `done` of `total` units (texts, or steps for a fit). */
export interface EncodeProgress {
  done: number;
  total: number;
}

export interface EncodeOptions {
  signal?: AbortSignal;
  onProgress?: (p: EncodeProgress) => void;
}

/**
 * A frozen sentence encoder T (method.md §B.1, §E.4): text in, one fixed-size vector per text out.
 * Every encoder (built-in TF-IDF + SVD, OpenAI-compatible endpoint, local transformers.js model) is one of
 * these, so S and M are built the same way whatever the encoder.
 */
export interface TextEncoder {
  /** Encoder name: `tfidf-svd`, `openai`, `transformers`. */
  readonly id: string;
  /** What produced the vectors: a server model name, a model directory's name, or a fitted state's id. */
  readonly model: string;
  /** Output width d_t. */
  readonly dim: number;
  /** texts.length × dim floats, row-major, row i = texts[i]. */
  encode(texts: readonly string[], opts?: EncodeOptions): Promise<Float32Array>;
  /** Corpus-fitted encoders learn their state here; `model` changes to name the fitted state. */
  fit?(corpus: readonly string[], opts?: EncodeOptions): Promise<void>;
}

/** The encoders `lmmrec text embed --encoder` accepts. */
export const ENCODER_NAMES = ['tfidf-svd', 'openai', 'transformers'] as const;
export type EncoderName = (typeof ENCODER_NAMES)[number];
