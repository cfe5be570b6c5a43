import type { Dataset } from '../../data/dataset.js';
import type { Store } from '../../data/store/store.js';
import { cacheKey, type CacheKeyParts, type CachedStatus, type EntityRef, type LlmCache } from './cache.js';
import {
  buildItemRecord, buildUserRecord, DEFAULT_PROMPT_BUILD, indexTrainReviews,
  type EntityKind, type ExtractionRecord, type PromptBuildOptions, type TrainReviews,
} from './inputs.js';
import { itemNotes, loadEntityOutputs, type NoteStats } from './outputs.js';
import { guessDomain, loadPromptTemplate, truncateWords, type PromptTemplate } from './prompts.js';
import type { Sampling } from './providers/types.js';

/** One distinct prompt and every entity it answers (identical inputs share one request and one cache row). */
export interface PlannedCall {
  key: string;
  parts: CacheKeyParts;
  record: ExtractionRecord;
  entities: EntityRef[];
  cached?: CachedStatus;
}

export interface PhasePlan {
  kind: EntityKind;
  template: PromptTemplate;
  calls: PlannedCall[];
  entities: number;
  /** Users: where the quoted item notes came from. */
  notes?: NoteStats;
}

export interface PlanContext {
  store: Store;
  cache: LlmCache;
  dataset: Dataset;
  provider: { name: string; model: string };
  sampling: Sampling;
  build: PromptBuildOptions;
  reviews: TrainReviews;
  promptVersion: string;
  promptDir?: string;
  /** Users: counts prompt entries dropped as word-for-word repeats. */
  onDuplicateEntry?: () => void;
  /** Users: replaces each missing item note (dry runs estimate tokens before items are answered). */
  missingNote?: string;
}

/** Item notes in user prompts are cut to 60 words (item summaries are asked for in at most 120). */
const NOTE_WORDS = 60;

export function resolveBuild(dataset: Dataset, build: Partial<PromptBuildOptions> = {}): PromptBuildOptions {
  return { ...DEFAULT_PROMPT_BUILD, domain: guessDomain(dataset.name), ...build };
}

export function planContext(base: Omit<PlanContext, 'reviews' | 'build'> & { build?: Partial<PromptBuildOptions> }): PlanContext {
  const build = resolveBuild(base.dataset, base.build);
  return { ...base, build, reviews: indexTrainReviews(base.dataset, build.reviewWords) };
}

/** Build every prompt of one kind, group equal keys, and look each key up in the cache. */
export function planPhase(ctx: PlanContext, kind: EntityKind, limit?: number): PhasePlan {
  const template = loadPromptTemplate(kind, ctx.promptVersion, ctx.promptDir);
  const count = Math.min(kind === 'item' ? ctx.dataset.numItems : ctx.dataset.numUsers, limit ?? Infinity);
  let notes: (string | undefined)[] = [];
  let noteStats: NoteStats | undefined;
  if (kind === 'user') {
    const itemTemplate = loadPromptTemplate('item', ctx.promptVersion, ctx.promptDir);
    const items = loadEntityOutputs(ctx.store, {
      dataset: ctx.dataset.name, kind: 'item', provider: ctx.provider.name, model: ctx.provider.model, promptVersion: itemTemplate.version,
    }, ctx.dataset.numItems);
    const r = itemNotes(ctx.dataset, items);
    noteStats = r.stats;
    notes = r.notes.map((n) => (n?.trim() ? truncateWords(n, NOTE_WORDS) : ctx.missingNote));
  }
  const stored = ctx.cache.statuses({ provider: ctx.provider.name, model: ctx.provider.model, promptVersion: template.version });
  const byKey = new Map<string, PlannedCall>();
  for (let e = 0; e < count; e++) {
    const record = kind === 'item'
      ? buildItemRecord(ctx.dataset, ctx.reviews, e, template, ctx.build)
      : buildUserRecord(ctx.dataset, ctx.reviews, e, template, ctx.build, { itemNotes: notes, onDuplicateEntry: ctx.onDuplicateEntry });
    const parts: CacheKeyParts = {
      provider: ctx.provider.name, model: ctx.provider.model, promptVersion: template.version, inputHash: record.inputHash, sampling: ctx.sampling,
    };
    const key = cacheKey(parts);
    const ref: EntityRef = { dataset: ctx.dataset.name, kind, entity: e };
    const call = byKey.get(key);
    if (call) call.entities.push(ref);
    else byKey.set(key, { key, parts, record, entities: [ref], cached: stored.get(key) });
  }
  return { kind, template, calls: [...byKey.values()], entities: count, ...(noteStats && { notes: noteStats }) };
}
