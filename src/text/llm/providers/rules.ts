import { sha256 } from '../../../util/hash.js';
import type { Motivation, MotivationOutput } from '../schema.js';
import { RULES_LEXICON, type LexiconEntry } from './rules-lexicon.js';
import type { ChatProvider, ChatRequest } from './types.js';

/** Stored as the model name; the lexicon hash makes a lexicon edit a new cache key. */
export const RULES_VERSION = `rules-v1@${sha256(JSON.stringify(RULES_LEXICON)).slice(0, 8)}`;

interface CompiledEntry {
  entry: LexiconEntry;
  re: RegExp;
}

function compile(entries: readonly LexiconEntry[]): CompiledEntry[] {
  return entries.map((entry) => {
    const alts = entry.cues.map((c) => {
      const prefix = c.endsWith('*');
      const body = (prefix ? c.slice(0, -1) : c).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/[\s-]+/g, '[\\s-]+');
      return prefix ? `${body}\\w*` : body;
    });
    return { entry, re: new RegExp(`(?<![\\w'])(?:${alts.join('|')})(?![\\w'])`, 'i') };
  });
}

const COMPILED = compile(RULES_LEXICON);

/** Sentences of a text: split on ., !, ? and line breaks, trimmed, empty ones dropped. */
export function splitSentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+|\n+/).map((s) => s.trim()).filter((s) => s.length > 0);
}

function quote(sentence: string, maxWords = 30): string {
  const words = sentence.split(/\s+/);
  return words.length <= maxWords ? sentence : `${words.slice(0, maxWords).join(' ')} …`;
}

interface Hit {
  index: number;
  texts: number;
  evidence: string;
}

function matchTexts(texts: readonly string[]): { hits: Hit[]; sentences: number } {
  const hits = new Map<number, Hit>();
  let sentences = 0;
  for (const text of texts) {
    const inThisText = new Set<number>();
    for (const sentence of splitSentences(text)) {
      sentences++;
      for (let i = 0; i < COMPILED.length; i++) {
        if (!COMPILED[i].re.test(sentence)) continue;
        const h = hits.get(i);
        if (!h) hits.set(i, { index: i, texts: 0, evidence: quote(sentence) });
        inThisText.add(i);
      }
    }
    for (const i of inThisText) hits.get(i)!.texts++;
  }
  return { hits: [...hits.values()], sentences };
}

/** 3 when most texts (or at least 3) mention it, 2 when two do, else 1: strength follows frequency. */
function strengthOf(support: number, texts: number): 1 | 2 | 3 {
  if (support >= 3 || (texts >= 2 && support * 2 > texts)) return 3;
  return support >= 2 ? 2 : 1;
}

/**
 * Offline extraction with cue lexicons (no language model). Each lexicon motivation found in a sentence of the
 * entity's own texts counts once per text; the five with the most supporting texts are kept, the matching
 * sentence is the evidence. Negated cues still count: "not worth the price" shows the writer cares about value.
 * Secondary texts (item notes in a user prompt) are used only when the entity's own texts match nothing, and
 * then give strength 1 at most.
 */
export function extractByRules(primary: readonly string[], secondary: readonly string[] = [], maxMotivations = 5): MotivationOutput {
  let { hits, sentences } = matchTexts(primary);
  let from = 'own texts';
  let nTexts = primary.length;
  let cap = 3;
  if (hits.length === 0 && secondary.length > 0) {
    ({ hits, sentences } = matchTexts(secondary));
    from = 'motivation notes of interacted items (weaker evidence)';
    nTexts = secondary.length;
    cap = 1;
  }
  hits.sort((a, b) => b.texts - a.texts || a.index - b.index);
  const motivations: Motivation[] = hits.slice(0, maxMotivations).map((h) => ({
    motivation: COMPILED[h.index].entry.motivation,
    category: COMPILED[h.index].entry.category,
    strength: Math.min(cap, strengthOf(h.texts, nTexts)) as 1 | 2 | 3,
    evidence: h.evidence,
  }));
  const words = ['', 'weak', 'moderate', 'strong'];
  const summary = motivations.length === 0
    ? 'None'
    : `Rule-based summary (no LLM): chosen for ${motivations.map((m) => `${m.motivation} (${m.category}, ${words[m.strength]})`).join('; ')}.`;
  const reasoning = `Rule-based extraction (${RULES_VERSION}, no LLM): ${hits.length} lexicon motivations matched in ${sentences} sentences of ${nTexts} ${from}; ranked by the number of texts mentioning each.`;
  return { reasoning, motivations, summary };
}

/** The rules extractor behind the provider interface; answers are labelled generator "rules". */
export function createRulesProvider(): ChatProvider {
  return {
    name: 'rules',
    model: RULES_VERSION,
    generator: 'rules',
    instant: true,
    async chat(req: ChatRequest) {
      const primary = req.source?.primary ?? req.messages.filter((m) => m.role === 'user').map((m) => m.content);
      const out = extractByRules(primary, req.source?.secondary ?? []);
      return { text: JSON.stringify(out), promptTokens: 0, completionTokens: 0 };
    },
  };
}
