import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SAMPLING } from '../../../src/text/llm/providers/types.js';
import { createRulesProvider, extractByRules, RULES_VERSION, splitSentences } from '../../../src/text/llm/providers/rules.js';
import { RULES_LEXICON } from '../../../src/text/llm/providers/rules-lexicon.js';
import { MOTIVATION_CATEGORIES, motivationJsonSchema, parseMotivationOutput } from '../../../src/text/llm/schema.js';
import { yelpItems } from './fixtures.js';

test('every lexicon entry uses one of the 10 categories, and every category has cues', () => {
  for (const e of RULES_LEXICON) assert.ok((MOTIVATION_CATEGORIES as readonly string[]).includes(e.category), e.motivation);
  for (const c of MOTIVATION_CATEGORIES) assert.ok(RULES_LEXICON.some((e) => e.category === c), c);
  assert.match(RULES_VERSION, /^rules-v1@[0-9a-f]{8}$/);
});

test('cues map to categories; evidence is the matching sentence; strength follows frequency', () => {
  const texts = [
    'Sunday $2 pints! Great prices and a friendly staff.',
    'Not the place for someone on a strict lunch budget, a little pricey.',
    'Cheap and cheerful. We came for a birthday party.',
  ];
  const out = extractByRules(texts);
  const value = out.motivations.find((m) => m.motivation === 'good value for the price')!;
  assert.equal(value.category, 'value');
  assert.equal(value.strength, 3);
  assert.ok(texts.some((t) => splitSentences(t).includes(value.evidence)), value.evidence);
  const occasion = out.motivations.find((m) => m.motivation === 'a special event or celebration')!;
  assert.equal(occasion.category, 'occasion');
  assert.equal(occasion.strength, 1);
  assert.equal(occasion.evidence, 'We came for a birthday party.');
  assert.equal(out.motivations[0].motivation, 'good value for the price');
  assert.ok(out.motivations.length <= 5);
  assert.match(out.summary, /^Rule-based summary \(no LLM\)/);
  assert.match(out.reasoning, /no LLM/);
});

test('no cue gives an empty answer; secondary texts are used only then, capped at strength 1', () => {
  assert.deepEqual(extractByRules(['Zzz qqq.']).motivations, []);
  assert.equal(extractByRules(['Zzz qqq.']).summary, 'None');
  const weak = extractByRules(['Zzz.'], ['Great prices.', 'Cheap.', 'Good value.']);
  assert.equal(weak.motivations[0].category, 'value');
  assert.equal(weak.motivations[0].strength, 1);
  assert.match(weak.reasoning, /weaker evidence/);
});

test('the rules provider answers valid schema JSON, deterministically, on real Yelp reviews', async () => {
  const { examples } = yelpItems();
  const p = createRulesProvider();
  assert.equal(p.generator, 'rules');
  const req = (texts: string[]) => ({
    messages: [], schema: { name: 'motivations', jsonSchema: motivationJsonSchema() }, sampling: DEFAULT_SAMPLING, source: { primary: texts, secondary: [] },
  });
  const signal = new AbortController().signal;
  for (const ex of examples) {
    const a = await p.chat(req(ex.reviews), signal);
    const b = await p.chat(req(ex.reviews), signal);
    assert.equal(a.text, b.text);
    const parsed = parseMotivationOutput(a.text);
    assert.ok(parsed.ok);
    assert.ok(parsed.value.motivations.length >= 2, ex.info.name);
    for (const m of parsed.value.motivations) assert.ok(ex.reviews.some((r) => r.includes(m.evidence.replace(/ …$/, '').split(' ').slice(0, 5).join(' '))), m.evidence);
  }
});
