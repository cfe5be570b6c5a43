import { z } from 'zod';

/** The fixed motivation vocabulary of method.md §E.1; every motivation carries exactly one. */
export const MOTIVATION_CATEGORIES = [
  'functional', 'hedonic', 'social', 'occasion', 'value',
  'quality', 'emotional', 'identity', 'novelty', 'convenience',
] as const;
export type MotivationCategory = (typeof MOTIVATION_CATEGORIES)[number];

export const Motivation = z.strictObject({
  motivation: z.string().min(1),
  category: z.enum(MOTIVATION_CATEGORIES),
  strength: z.int().min(1).max(3),
  /** A short quote from the input (items) or the supporting entries (users). */
  evidence: z.string(),
});
export type Motivation = z.infer<typeof Motivation>;

/**
 * What a model must answer, for items and users alike. `reasoning` comes first so a model decoding under a
 * JSON-schema grammar writes its chain of thought before committing to motivations (field order = decode order).
 */
export const MotivationOutput = z.strictObject({
  reasoning: z.string(),
  motivations: z.array(Motivation).max(5),
  summary: z.string(),
});
export type MotivationOutput = z.infer<typeof MotivationOutput>;

/** Who wrote a stored output: a language model, the offline rules, or a dataset's own profile text. */
export type Generator = 'llm' | 'rules' | 'dataset';

/** A stored output: the answer plus its provenance label, so rule-based text is never mistaken for LLM text. */
export type StoredOutput = MotivationOutput & { generator: Generator };

let jsonSchema: Record<string, unknown> | undefined;

/** JSON schema sent to servers for structured output (draft-07: what OpenAI-compatible servers accept). */
export function motivationJsonSchema(): Record<string, unknown> {
  if (!jsonSchema) {
    const { $schema: _drop, ...schema } = z.toJSONSchema(MotivationOutput, { target: 'draft-7' }) as Record<string, unknown>;
    jsonSchema = schema;
  }
  return jsonSchema;
}

export type ParseResult = { ok: true; value: MotivationOutput } | { ok: false; error: string };

/**
 * Parse a model's answer with the tolerance of method.md §E.4: code fences and text around the one JSON object
 * are ignored; anything else wrong is reported (for the repair round), never guessed at.
 */
export function parseMotivationOutput(text: string): ParseResult {
  const json = extractJsonObject(text);
  if (json === undefined) return { ok: false, error: 'no JSON object found in the answer' };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    return { ok: false, error: `invalid JSON: ${(e as Error).message}` };
  }
  const r = MotivationOutput.safeParse(value);
  if (r.success) return { ok: true, value: r.data };
  const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return { ok: false, error: `schema mismatch: ${issues.join('; ')}` };
}

/** The outermost {...} of the text after removing ``` fences; undefined when there is no opening brace. */
export function extractJsonObject(text: string): string | undefined {
  const unfenced = text.replace(/```(?:json)?/gi, '');
  const start = unfenced.indexOf('{');
  if (start < 0) return undefined;
  const end = unfenced.lastIndexOf('}');
  return end > start ? unfenced.slice(start, end + 1) : unfenced.slice(start);
}

/** True when an output carries no usable text (method.md §E.4: such nodes get a zero vector and a mask). */
export function isEmptyOutput(o: MotivationOutput): boolean {
  const s = o.summary.trim().toLowerCase();
  return o.motivations.length === 0 && (s === '' || s === 'none');
}
