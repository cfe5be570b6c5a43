/** Small Datasets for the LLM tests, built from the committed fixtures only. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { csrFromPairs, transpose } from '../../../src/data/csr.js';
import type { Dataset, Review } from '../../../src/data/dataset.js';
import { loadDataset } from '../../../src/data/load.js';

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

export function tinyBeauty(): Promise<Dataset> {
  return loadDataset(join(FIXTURES, 'tiny_beauty'));
}

function readJsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
}

function dataset(name: string, numUsers: number, numItems: number, pairs: [number, number][], extra: Partial<Dataset>): Dataset {
  const train = csrFromPairs(numUsers, numItems, Int32Array.from(pairs, (p) => p[0]), Int32Array.from(pairs, (p) => p[1]));
  const empty = csrFromPairs(numUsers, numItems, new Int32Array(0), new Int32Array(0));
  return { name, dir: FIXTURES, numUsers, numItems, train, trainT: transpose(train), valid: empty, test: empty, ...extra };
}

interface YelpItemExample { example: number; info: { name: string; city: string; categories: string }; reviews: string[] }
interface YelpUserExample { example: number; interactions: { title: string; description: string; review: string }[] }

/** The 5 Yelp businesses of RLMRec's item prompt examples; each review by its own reviewer (all train). */
export function yelpItems(): { dataset: Dataset; examples: YelpItemExample[] } {
  const examples = readJsonl<YelpItemExample>(join(FIXTURES, 'rlmrec_yelp_prompt_examples', 'item_examples.jsonl'));
  const pairs: [number, number][] = [];
  const reviews: Review[] = [];
  examples.forEach((ex, item) => ex.reviews.forEach((text) => {
    const user = reviews.length;
    pairs.push([user, item]);
    reviews.push({ user, item, text });
  }));
  const ds = dataset('rlmrec_yelp_examples', reviews.length, examples.length, pairs, {
    itemTitles: examples.map((e) => e.info.name),
    itemMeta: examples.map((e) => ({ item: 0, city: e.info.city, categories: e.info.categories })),
    reviews,
  });
  return { dataset: ds, examples };
}

/** The 5 Yelp users of RLMRec's user prompt examples, their 6 businesses each, with RLMRec's business profiles. */
export function yelpUsers(): { dataset: Dataset; examples: YelpUserExample[] } {
  const examples = readJsonl<YelpUserExample>(join(FIXTURES, 'rlmrec_yelp_prompt_examples', 'user_examples.jsonl'));
  const titles: string[] = [];
  const profiles: string[] = [];
  const pairs: [number, number][] = [];
  const reviews: Review[] = [];
  examples.forEach((ex, user) => ex.interactions.forEach((it) => {
    const item = titles.length;
    titles.push(it.title);
    profiles.push(it.description);
    pairs.push([user, item]);
    reviews.push({ user, item, text: it.review });
  }));
  const ds = dataset('rlmrec_yelp_examples', examples.length, titles.length, pairs, {
    itemTitles: titles, itemTexts: { source: 'user_examples.jsonl', text: profiles }, reviews,
  });
  return { dataset: ds, examples };
}
