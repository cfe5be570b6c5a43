import type { Dataset } from '../../data/dataset.js';
import type { Store } from '../../data/store/store.js';
import type { OutputStatus } from './cache.js';
import type { EntityKind } from './inputs.js';
import { isEmptyOutput, type Motivation, type StoredOutput } from './schema.js';

export interface EntityOutputs {
  /** Per entity: the stored status, or undefined when the entity was never extracted. */
  status: (OutputStatus | undefined)[];
  /** Per entity: the answer when status is ok. */
  outputs: (StoredOutput | undefined)[];
}

export interface OutputSelector {
  dataset: string;
  kind: EntityKind;
  provider: string;
  model: string;
  /** Default: the latest prompt version written for each entity. */
  promptVersion?: string;
}

/** The stored outputs of one extractor for every entity 0..count-1 of a dataset (latest assignment wins). */
export function loadEntityOutputs(store: Store, sel: OutputSelector, count: number): EntityOutputs {
  const rows = store.db.prepare(`
    SELECT e.entity AS entity, o.status AS status, o.parsed AS parsed
    FROM llm_entity_outputs e JOIN llm_outputs o ON o.key = e.key
    WHERE e.dataset = ? AND e.kind = ? AND e.provider = ? AND e.model = ? AND (? IS NULL OR e.prompt_version = ?)
    ORDER BY e.updated_at, e.rowid`).all(sel.dataset, sel.kind, sel.provider, sel.model, sel.promptVersion ?? null, sel.promptVersion ?? null) as
    { entity: number; status: OutputStatus; parsed: string | null }[];
  const status: (OutputStatus | undefined)[] = new Array(count).fill(undefined);
  const outputs: (StoredOutput | undefined)[] = new Array(count).fill(undefined);
  for (const r of rows) {
    if (r.entity < 0 || r.entity >= count) continue;
    status[r.entity] = r.status;
    outputs[r.entity] = r.status === 'ok' && r.parsed ? (JSON.parse(r.parsed) as StoredOutput) : undefined;
  }
  return { status, outputs };
}

/** S text (method.md §E.4): the summary, or undefined when empty / "None" (gets a zero vector and hasText = 0). */
export function summaryText(o: StoredOutput | undefined): string | undefined {
  if (!o) return undefined;
  const s = o.summary.trim();
  return s && s.toLowerCase() !== 'none' ? s : undefined;
}

/**
 * M text (method.md §E.4): "category: motivation; …", strongest first (ties keep the model's order).
 * Undefined for an empty list, so the entity gets a zero row and mask 0.
 */
export function motivationText(motivations: readonly Pick<Motivation, 'motivation' | 'category' | 'strength'>[]): string | undefined {
  const parts = motivations
    .map((m, i) => ({ m, i }))
    .filter(({ m }) => m.motivation.trim() !== '')
    .sort((a, b) => b.m.strength - a.m.strength || a.i - b.i)
    .map(({ m }) => `${m.category}: ${m.motivation.trim()}`);
  return parts.length ? parts.join('; ') : undefined;
}

/**
 * Motivation notes for user prompts (method.md §E.3): each item's summary from the item pass; an item without
 * one falls back to the dataset's own item text (an existing profile), else undefined ("None" in the prompt).
 */
export function itemNotes(dataset: Dataset, items: EntityOutputs): { notes: (string | undefined)[]; stats: NoteStats } {
  const notes: (string | undefined)[] = new Array(dataset.numItems);
  const stats: NoteStats = { fromExtraction: 0, fromDataset: 0, none: 0 };
  for (let i = 0; i < dataset.numItems; i++) {
    const o = items.outputs[i];
    const own = o && !isEmptyOutput(o) ? summaryText(o) : undefined;
    const fallback = own === undefined ? dataset.itemTexts?.text[i]?.trim() || undefined : undefined;
    notes[i] = own ?? fallback;
    if (own !== undefined) stats.fromExtraction++;
    else if (fallback !== undefined) stats.fromDataset++;
    else stats.none++;
  }
  return { notes, stats };
}

/** Where the item notes of user prompts came from, reported so a users-only run without items is visible. */
export interface NoteStats {
  fromExtraction: number;
  fromDataset: number;
  none: number;
}
