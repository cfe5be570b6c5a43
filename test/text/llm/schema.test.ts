import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractJsonObject, isEmptyOutput, motivationJsonSchema, MOTIVATION_CATEGORIES, parseMotivationOutput } from '../../../src/text/llm/schema.js';

const valid = {
  reasoning: 'Reviews praise the fresh salad.',
  motivations: [{ motivation: 'wants fresh, healthy food', category: 'quality', strength: 3, evidence: '"always so crisp & fresh"' }],
  summary: 'People who want fresh, fast Greek food.',
};

test('the vocabulary has the 10 categories of method.md §E.1', () => {
  assert.deepEqual([...MOTIVATION_CATEGORIES].sort(), ['convenience', 'emotional', 'functional', 'hedonic', 'identity', 'novelty', 'occasion', 'quality', 'social', 'value']);
});

test('JSON schema: strict objects, required fields, reasoning first, category enum, strength 1..3', () => {
  const s = motivationJsonSchema() as { properties: Record<string, any>; required: string[]; additionalProperties: boolean; $schema?: string };
  assert.equal(s.$schema, undefined);
  assert.equal(s.additionalProperties, false);
  assert.deepEqual(Object.keys(s.properties), ['reasoning', 'motivations', 'summary']);
  assert.deepEqual(s.required, ['reasoning', 'motivations', 'summary']);
  const item = s.properties.motivations.items;
  assert.equal(item.additionalProperties, false);
  assert.equal(item.properties.category.enum.length, 10);
  assert.equal(item.properties.strength.minimum, 1);
  assert.equal(item.properties.strength.maximum, 3);
  assert.equal(s.properties.motivations.maxItems, 5);
});

test('parse accepts plain JSON, fenced JSON and text around the object', () => {
  for (const text of [JSON.stringify(valid), '```json\n' + JSON.stringify(valid) + '\n```', `Here you go: ${JSON.stringify(valid)} Hope it helps.`]) {
    const r = parseMotivationOutput(text);
    assert.ok(r.ok, text);
    assert.equal(r.value.motivations[0].strength, 3);
  }
});

test('parse reports truncated JSON, a bad category, strength out of range, unknown keys', () => {
  const cases: [string, RegExp][] = [
    [JSON.stringify(valid).slice(0, 60), /invalid JSON/],
    ['no json here', /no JSON object/],
    [JSON.stringify({ ...valid, motivations: [{ ...valid.motivations[0], category: 'fun' }] }), /motivations\.0\.category/],
    [JSON.stringify({ ...valid, motivations: [{ ...valid.motivations[0], strength: 4 }] }), /motivations\.0\.strength/],
    [JSON.stringify({ ...valid, extra: 1 }), /schema mismatch/],
  ];
  for (const [text, re] of cases) {
    const r = parseMotivationOutput(text);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.error, re);
  }
});

test('extractJsonObject keeps an unterminated object from its brace', () => {
  assert.equal(extractJsonObject('x {"a": 1'), '{"a": 1');
  assert.equal(extractJsonObject('none'), undefined);
});

test('isEmptyOutput: no motivations and a None summary', () => {
  assert.equal(isEmptyOutput({ reasoning: '', motivations: [], summary: 'None' }), true);
  assert.equal(isEmptyOutput({ reasoning: '', motivations: [], summary: 'Some text' }), false);
  assert.equal(isEmptyOutput(valid as never), false);
});
