import { createHash } from 'node:crypto';
import { hasEntry, rowOf } from '../../data/csr.js';
import type { Dataset } from '../../data/dataset.js';
import { createRng, type Rng } from '../../util/rng.js';
import {
  renderItemPrompt, renderUserPrompt, truncateWords,
  type ChatMessage, type Domain, type PromptTemplate, type UserPromptEntry,
} from './prompts.js';

export type EntityKind = 'item' | 'user';

/** Texts a prompt was built from, for providers that read text rather than prompts (rules). */
export interface SourceTexts {
  /** The entity's own evidence: reviews, description, metadata values. */
  primary: string[];
  /** Weaker evidence: item motivation notes inside a user prompt. */
  secondary: string[];
}

/** One prompt to answer: an item or a user, its messages and the hash that addresses it in the cache. */
export interface ExtractionRecord {
  kind: EntityKind;
  entity: number;
  messages: ChatMessage[];
  source: SourceTexts;
  /** No text at all to reason from: recorded as skipped-empty, never sent. */
  empty: boolean;
  inputHash: string;
}

/** How the reviews were filtered before prompting; reported so nothing is dropped silently. */
export interface ReviewStats {
  total: number;
  /** Reviews of valid/test pairs (or of pairs not in train): never shown to a prompt, to avoid leakage. */
  notInTrain: number;
  empty: number;
  /** Train reviews repeating an earlier review of the same user word for word (Amazon 5-core variants): kept with
   *  each item they were written for, shown once per user prompt. */
  duplicateUserText: number;
  used: number;
}

export interface PromptBuildOptions {
  domain: Domain;
  /** Seed of the review/item sampling; part of the input, so a different seed is a different cache key. */
  seed: number;
  maxReviews: number;
  maxUserItems: number;
  reviewWords: number;
  /** Fields of `dataset.itemMeta` shown as basic information (Steam: publisher, genres, tags; Yelp: city, categories). */
  metaFields: readonly string[];
  /** Show the dataset's item text (a description or an existing profile) as `description`. */
  useItemTexts: boolean;
  /** Item fields by item id, replacing `dataset.itemMeta` (e.g. from `readItemMetadata`). */
  metadata?: Map<number, Record<string, string | string[]>>;
}

export const DEFAULT_PROMPT_BUILD: Omit<PromptBuildOptions, 'domain'> = {
  seed: 2023, maxReviews: 10, maxUserItems: 15, reviewWords: 120,
  metaFields: ['city', 'categories', 'publisher', 'developer', 'genres', 'tags', 'price'], useItemTexts: true,
};

/** A train review as prompts use it: trimmed, and cut once to the prompt's word limit. */
export interface TrainReview {
  user: number;
  item: number;
  text: string;
  /** `text` cut to `reviewWords` words (computed once; prompts reuse it). */
  short: string;
}

export interface TrainReviews {
  /** Per item: its train reviews, each (user, text) once, in file order. */
  byItem: TrainReview[][];
  /** Per user: item → that user's distinct reviews of it, in file order. */
  byUser: Map<number, TrainReview[]>[];
  /** Word limit `short` was cut to. */
  reviewWords: number;
  stats: ReviewStats;
}

/**
 * Index the reviews a prompt may use: only reviews of TRAIN (user, item) pairs, non-empty, each (user, item, text)
 * once. Valid/test reviews cannot reach a prompt because they never enter this index. A review repeated across
 * items (Amazon 5-core variants) stays with every item it was written for, and `buildUserRecord` shows it once.
 */
export function indexTrainReviews(dataset: Dataset, reviewWords = DEFAULT_PROMPT_BUILD.reviewWords): TrainReviews {
  const byItem: TrainReview[][] = Array.from({ length: dataset.numItems }, () => []);
  const byUser: Map<number, TrainReview[]>[] = Array.from({ length: dataset.numUsers }, () => new Map());
  // Per user: text → the items it was written for (string keys are the texts themselves: no concatenation).
  const seen: (Map<string, number[]> | undefined)[] = new Array(dataset.numUsers);
  const stats: ReviewStats = { total: 0, notInTrain: 0, empty: 0, duplicateUserText: 0, used: 0 };
  for (const r of dataset.reviews ?? []) {
    stats.total++;
    if (r.user >= dataset.numUsers || r.item >= dataset.numItems || !hasEntry(dataset.train, r.user, r.item)) {
      stats.notInTrain++;
      continue;
    }
    const text = r.text.trim();
    if (!text) { stats.empty++; continue; }
    const texts = (seen[r.user] ??= new Map());
    const items = texts.get(text);
    if (items) {
      stats.duplicateUserText++;
      if (items.includes(r.item)) continue;
      items.push(r.item);
    } else texts.set(text, [r.item]);
    stats.used++;
    const tr: TrainReview = { user: r.user, item: r.item, text, short: truncateWords(text, reviewWords) };
    byItem[r.item].push(tr);
    const m = byUser[r.user];
    const list = m.get(r.item);
    if (list) list.push(tr); else m.set(r.item, [tr]);
  }
  return { byItem, byUser, reviewWords, stats };
}

/** A review (or a user's several reviews of one item) cut to `words`, reusing the index's cut when it matches. */
function shortText(list: readonly TrainReview[], words: number, index: TrainReviews): string {
  if (list.length === 1 && index.reviewWords === words) return list[0].short;
  return truncateWords(list.map((r) => r.text).join(' '), words);
}

function itemInfo(dataset: Dataset, item: number, opts: PromptBuildOptions): Record<string, string | string[]> {
  const info: Record<string, string | string[]> = {};
  const title = dataset.itemTitles?.[item]?.trim();
  if (title) info[opts.domain === 'book' ? 'title' : 'name'] = title;
  const meta = opts.metadata?.get(item) ?? pickFields(dataset.itemMeta?.[item], opts.metaFields);
  Object.assign(info, meta);
  const desc = opts.useItemTexts ? dataset.itemTexts?.text[item]?.trim() : undefined;
  if (desc) info.description = truncateWords(desc, 200);
  return info;
}

/** Strings, numbers and string lists of the chosen fields; empty values and other types left out. */
export function pickFields(record: Readonly<Record<string, unknown>> | undefined, fields: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!record) return out;
  for (const f of fields) {
    const v = record[f];
    if (typeof v === 'string' && v.trim()) out[f] = v.trim();
    else if (typeof v === 'number' && Number.isFinite(v)) out[f] = String(v);
    else if (Array.isArray(v)) {
      const list = v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').slice(0, 15);
      if (list.length) out[f] = list;
    }
  }
  return out;
}

function infoTexts(info: Record<string, string | string[]>): string[] {
  return Object.values(info).map((v) => (Array.isArray(v) ? v.join(', ') : v));
}

/**
 * Choose k of n indices uniformly without replacement, returned in ascending order (stable prompts). The
 * stream is made only when there is something to choose (most entities have fewer than k candidates).
 */
function sampleIndices(n: number, k: number, makeRng: () => Rng): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  if (n <= k) return idx;
  const rng = makeRng();
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const t = idx[i]; idx[i] = idx[j]; idx[j] = t;
  }
  return idx.slice(0, k).sort((a, b) => a - b);
}

/**
 * The input hash covers the domain and every non-system message; the system message is fixed by the template,
 * whose file hash is in the prompt version, so hashing its 1.5 kB again per record would add nothing.
 */
function hashInput(domain: Domain, messages: ChatMessage[]): string {
  const h = createHash('sha256').update(domain);
  for (const m of messages) if (m.role !== 'system') h.update(`\u0000${m.role}\u0000`).update(m.content);
  return h.digest('hex');
}

export function buildItemRecord(
  dataset: Dataset, reviews: TrainReviews, item: number, t: PromptTemplate, opts: PromptBuildOptions,
): ExtractionRecord {
  const info = itemInfo(dataset, item, opts);
  const all = reviews.byItem[item];
  const picked = sampleIndices(all.length, opts.maxReviews, () => createRng(opts.seed).derive(`item:${item}`));
  const texts = picked.map((i) => shortText([all[i]], opts.reviewWords, reviews));
  const messages = renderItemPrompt(t, opts.domain, { info, reviews: texts });
  const primary = [...infoTexts(info), ...texts];
  return { kind: 'item', entity: item, messages, source: { primary, secondary: [] }, empty: primary.length === 0, inputHash: hashInput(opts.domain, messages) };
}

export interface UserBuildContext {
  /** Per item: the motivation summary from the item pass (or a dataset profile), already cut with `noteWords`;
   *  undefined = "None". */
  itemNotes: readonly (string | undefined)[];
  /** Counts entries dropped because their review repeats an earlier entry's review word for word. */
  onDuplicateEntry?: () => void;
}

function itemTitle(dataset: Dataset, item: number): string {
  return dataset.itemTitles?.[item]?.trim() || dataset.itemRawIds?.[item] || `item ${item}`;
}

/** A user prompt from the user's TRAIN interactions only (method.md §E.3), up to `maxUserItems` sampled. */
export function buildUserRecord(
  dataset: Dataset, reviews: TrainReviews, user: number, t: PromptTemplate, opts: PromptBuildOptions, ctx: UserBuildContext,
): ExtractionRecord {
  const own = reviews.byUser[user];
  const candidates: UserPromptEntry[] = [];
  const seenReview = new Set<string>();
  for (const item of rowOf(dataset.train, user)) {
    const texts = own.get(item);
    const review = texts ? shortText(texts, opts.reviewWords, reviews) : 'None';
    if (texts) {
      if (seenReview.has(review)) { ctx.onDuplicateEntry?.(); continue; }
      seenReview.add(review);
    }
    const note = ctx.itemNotes[item];
    candidates.push({ title: itemTitle(dataset, item), motivation_note: note ?? 'None', review });
  }
  const picked = sampleIndices(candidates.length, opts.maxUserItems, () => createRng(opts.seed).derive(`user:${user}`));
  const entries = picked.map((i) => candidates[i]);
  const messages = renderUserPrompt(t, opts.domain, { entries });
  const primary = entries.filter((e) => e.review !== 'None').map((e) => e.review);
  const secondary = entries.filter((e) => e.motivation_note !== 'None').map((e) => e.motivation_note);
  return {
    kind: 'user', entity: user, messages, source: { primary, secondary },
    empty: primary.length === 0 && secondary.length === 0, inputHash: hashInput(opts.domain, messages),
  };
}
