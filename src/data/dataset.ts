import type { Csr } from './csr.js';

/** Free text attached to users or items: LLM profiles, reviews, metadata. Index = internal id. */
export interface EntityTexts {
  /** Where the text came from (`user_profiles.jsonl.gz`, `reviews.jsonl.gz`, …). */
  readonly source: string;
  /** One entry per entity; undefined when the entity has no text (recorded, never invented). */
  readonly text: (string | undefined)[];
}

/** One review joined to internal ids. */
export interface Review {
  user: number;
  item: number;
  rating?: number;
  text: string;
  time?: number;
  summary?: string;
}

/**
 * An implicit-feedback dataset with a fixed split, in memory. `train` is the CSR user→item matrix,
 * `trainT` its transpose; valid/test are CSR too so per-user targets are one slice away.
 */
export interface Dataset {
  /** Human name (folder basename unless given). */
  readonly name: string;
  /** Folder it was loaded from, for manifests and error messages. */
  readonly dir: string;
  readonly numUsers: number;
  readonly numItems: number;
  readonly train: Csr;
  readonly trainT: Csr;
  readonly valid: Csr;
  readonly test: Csr;
  /** Raw ids (index = internal id), when maps were given. */
  readonly userRawIds?: string[];
  readonly itemRawIds?: string[];
  readonly itemTitles?: (string | undefined)[];
  readonly userTexts?: EntityTexts;
  readonly itemTexts?: EntityTexts;
  readonly reviews?: Review[];
  /** Per-item metadata records (`items.jsonl.gz`: genres, tags, …), passed through as read. */
  readonly itemMeta?: (Readonly<Record<string, unknown>> | undefined)[];
  /** Input files read to build this dataset, relative to `dir` (hashed into manifests). */
  readonly files?: readonly string[];
}
