import { hasEntry } from '../../data/csr.js';
import type { Dataset } from '../../data/dataset.js';
import type { Store } from '../../data/store/store.js';
import { DataError } from '../../util/errors.js';
import { loadEntityOutputs, summaryText } from '../llm/outputs.js';
import { motivationText } from '../llm/outputs.js';

/** Where the text of `lmmrec text embed --source` comes from. */
export const TEXT_SOURCES = ['profiles', 'reviews', 'motivations'] as const;
export type TextSource = (typeof TEXT_SOURCES)[number];

/** One text per user and per item (undefined = none) for one matrix: S (semantic prior) or M (motivation). */
export interface EntityTextPair {
  users: (string | undefined)[];
  items: (string | undefined)[];
}

/** S and M texts of a source; profiles and reviews only give S. */
export type SourceTexts = { S: EntityTextPair; M?: EntityTextPair };

/**
 * Existing profile texts of the dataset folder (e.g. RLMRec's GPT user/item profiles, XRec item profiles) as
 * the semantic prior. A side without a profile file has no text at all (every row masked), which is reported.
 */
export function profileTexts(ds: Dataset): SourceTexts {
  if (!ds.userTexts && !ds.itemTexts) {
    throw new DataError({ file: ds.dir }, 'no user_profiles or item_profiles file (.jsonl or .jsonl.gz) in the dataset folder; use --source reviews or motivations');
  }
  return {
    S: {
      users: ds.userTexts?.text.slice() ?? new Array<string | undefined>(ds.numUsers).fill(undefined),
      items: ds.itemTexts?.text.slice() ?? new Array<string | undefined>(ds.numItems).fill(undefined),
    },
  };
}

export interface ReviewTextStats {
  total: number;
  /** Reviews of pairs outside the training split: never used, so valid/test text cannot leak into S. */
  notInTrain: number;
  empty: number;
  /** A user's review text repeated on the same entity's list (Amazon 5-core variants), kept once. */
  duplicate: number;
  used: number;
  /** Entities whose concatenation was cut at maxChars. */
  truncated: number;
}

/**
 * Per user and per item, its TRAINING reviews concatenated in file order (blank line between reviews),
 * each distinct text once per entity, cut at `maxChars` (so a long-tail entity cannot blow an API limit).
 */
export function reviewTexts(ds: Dataset, opts: { maxChars?: number } = {}): { texts: SourceTexts; stats: ReviewTextStats } {
  if (!ds.reviews) throw new DataError({ file: ds.dir }, 'no reviews file (reviews.jsonl or reviews.jsonl.gz) in the dataset folder');
  const maxChars = opts.maxChars ?? 20_000;
  const stats: ReviewTextStats = { total: ds.reviews.length, notInTrain: 0, empty: 0, duplicate: 0, used: 0, truncated: 0 };
  const byUser: string[][] = Array.from({ length: ds.numUsers }, () => []);
  const byItem: string[][] = Array.from({ length: ds.numItems }, () => []);
  const seenUser = new Set<string>(), seenItem = new Set<string>();
  for (const r of ds.reviews) {
    const text = r.text.trim();
    if (!hasEntry(ds.train, r.user, r.item)) { stats.notInTrain++; continue; }
    if (text === '') { stats.empty++; continue; }
    const ku = `${r.user}\0${text}`, ki = `${r.item}\0${text}`;
    if (seenUser.has(ku) && seenItem.has(ki)) { stats.duplicate++; continue; }
    stats.used++;
    if (!seenUser.has(ku)) { seenUser.add(ku); byUser[r.user].push(text); }
    if (!seenItem.has(ki)) { seenItem.add(ki); byItem[r.item].push(text); }
  }
  const join = (parts: string[]): string | undefined => {
    if (parts.length === 0) return undefined;
    const s = parts.join('\n\n');
    if (s.length <= maxChars) return s;
    stats.truncated++;
    return s.slice(0, maxChars);
  };
  return { texts: { S: { users: byUser.map(join), items: byItem.map(join) } }, stats };
}

export interface MotivationSelector {
  provider: string;
  model: string;
  promptVersion?: string;
}

/**
 * Complete a partial selector from what the store holds for the dataset: when exactly one extraction run
 * (provider, model) matches the given parts it is used; none or several is an error listing what exists.
 */
export function resolveMotivationSelector(store: Store, ds: Dataset, sel: Partial<MotivationSelector>): MotivationSelector {
  if (sel.provider && sel.model) return { provider: sel.provider, model: sel.model, promptVersion: sel.promptVersion };
  const runs = store.db
    .prepare('SELECT DISTINCT provider, model FROM llm_entity_outputs WHERE dataset = ? ORDER BY provider, model')
    .all(ds.name) as { provider: string; model: string }[];
  const fits = runs.filter((r) => (!sel.provider || r.provider === sel.provider) && (!sel.model || r.model === sel.model));
  if (fits.length === 1) return { ...fits[0], promptVersion: sel.promptVersion };
  const have = runs.length ? `stored runs: ${runs.map((r) => `--llm-provider ${r.provider} --llm-model ${r.model}`).join('; ')}` : 'run `lmmrec llm extract` first';
  const what = fits.length === 0 ? `no motivation outputs for dataset "${ds.name}"${sel.provider ? ` from provider ${sel.provider}` : ''}` : `several extraction runs for dataset "${ds.name}" match; pick one`;
  throw new DataError({ file: store.path }, `${what} (${have})`);
}

/**
 * Texts from the LLM motivation outputs in the workspace store (`lmmrec llm extract`): S = the CoT summary,
 * M = "category: motivation; …" by strength (method.md §E.4). Entities never extracted, failed or empty
 * get no text (mask 0).
 */
export function motivationTexts(store: Store, ds: Dataset, sel: MotivationSelector): { texts: SourceTexts; extracted: { users: number; items: number } } {
  const users = loadEntityOutputs(store, { dataset: ds.name, kind: 'user', ...sel }, ds.numUsers);
  const items = loadEntityOutputs(store, { dataset: ds.name, kind: 'item', ...sel }, ds.numItems);
  const okUsers = users.outputs.filter((o) => o !== undefined).length;
  const okItems = items.outputs.filter((o) => o !== undefined).length;
  if (okUsers + okItems === 0) {
    throw new DataError(
      { file: store.path },
      `no motivation outputs for dataset "${ds.name}" from provider ${sel.provider}, model ${sel.model}${sel.promptVersion ? `, prompt ${sel.promptVersion}` : ''}; run \`lmmrec llm extract\` first`,
    );
  }
  const m = (o: (typeof users.outputs)[number]): string | undefined => (o ? motivationText(o.motivations) : undefined);
  return {
    texts: {
      S: { users: users.outputs.map(summaryText), items: items.outputs.map(summaryText) },
      M: { users: users.outputs.map(m), items: items.outputs.map(m) },
    },
    extracted: { users: okUsers, items: okItems },
  };
}
