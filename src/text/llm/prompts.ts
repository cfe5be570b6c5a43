import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LmmrecError } from '../../util/errors.js';
import { sha256 } from '../../util/hash.js';
import { MOTIVATION_CATEGORIES } from './schema.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** `{DOMAIN}` of method.md §E.2; `product` covers review datasets without a richer domain (Amazon beauty). */
export const DOMAINS = ['business', 'book', 'game', 'product'] as const;
export type Domain = (typeof DOMAINS)[number];

export type PromptKind = 'item' | 'user' | 'repair';

export interface PromptTemplate {
  readonly kind: PromptKind;
  /** `item.v1@1a2b3c4d`: file version plus a hash of its text, so editing a prompt file invalidates the cache. */
  readonly version: string;
  readonly text: string;
}

/** `prompts/` at the package root; the same two levels up from src/text/llm under tsx and dist/text/llm. */
export function defaultPromptDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'prompts');
}

const loaded = new Map<string, PromptTemplate>();

/** Read `prompts/<kind>.<version>.md` (cached per path). */
export function loadPromptTemplate(kind: PromptKind, version = 'v1', dir = defaultPromptDir()): PromptTemplate {
  const file = join(dir, `${kind}.${version}.md`);
  const hit = loaded.get(file);
  if (hit) return hit;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new LmmrecError('CONFIG', `prompt file ${file} not found (prompt version "${version}")`, { cause: e });
  }
  const t: PromptTemplate = { kind, version: `${kind}.${version}@${sha256(text).slice(0, 8)}`, text };
  loaded.set(file, t);
  return t;
}

/** What an item prompt shows (method.md §E.2): basic information and up to 10 reviews. */
export interface ItemPromptInput {
  info: Record<string, string | string[]>;
  reviews: string[];
}

/** One interacted entity of a user prompt (method.md §E.3); "None" marks missing text. */
export interface UserPromptEntry {
  title: string;
  motivation_note: string;
  review: string;
}

export interface UserPromptInput {
  entries: UserPromptEntry[];
}

const PLURAL: Record<Domain, string> = { business: 'BUSINESSES', book: 'BOOKS', game: 'GAMES', product: 'PRODUCTS' };

const filled = new Map<string, string>();

function fillSystem(t: PromptTemplate, domain: Domain): string {
  const k = `${t.version}\u0000${domain}`;
  let s = filled.get(k);
  if (s === undefined) {
    s = t.text.replaceAll('{DOMAIN}', domain).replaceAll('{CATEGORIES}', `[${MOTIVATION_CATEGORIES.join(', ')}]`).trim();
    filled.set(k, s);
  }
  return s;
}

export function renderItemPrompt(t: PromptTemplate, domain: Domain, input: ItemPromptInput): ChatMessage[] {
  const data = `BASIC INFORMATION: ${JSON.stringify(input.info)}\nREVIEWS: ${JSON.stringify(input.reviews)}`;
  return [
    { role: 'system', content: fillSystem(t, domain) },
    { role: 'user', content: data },
  ];
}

export function renderUserPrompt(t: PromptTemplate, domain: Domain, input: UserPromptInput): ChatMessage[] {
  const data = `INTERACTED ${PLURAL[domain]}: ${JSON.stringify(input.entries)}`;
  return [
    { role: 'system', content: fillSystem(t, domain) },
    { role: 'user', content: data },
  ];
}

/** The repair round's follow-up: the previous answer and what was wrong with it. */
export function renderRepair(t: PromptTemplate, messages: ChatMessage[], badAnswer: string, error: string): ChatMessage[] {
  const content = t.text
    .replaceAll('{ERROR}', error)
    .replaceAll('{CATEGORIES}', `[${MOTIVATION_CATEGORIES.join(', ')}]`)
    .trim();
  return [...messages, { role: 'assistant', content: badAnswer }, { role: 'user', content }];
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * Keep the first `n` words (method.md §E.2: about 120 words per review), whitespace collapsed to single spaces,
 * and mark a cut with " …". One scan finds where word n ends; only that prefix is normalised.
 */
export function truncateWords(text: string, n: number): string {
  const len = text.length;
  let i = 0, words = 0, clean = true;
  while (i < len && isSpace(text.charCodeAt(i))) i++;
  const start = i;
  let end = start;
  while (i < len) {
    if (words === n) break;
    while (i < len && !isSpace(text.charCodeAt(i))) i++;
    words++;
    end = i;
    const gap = i;
    while (i < len && isSpace(text.charCodeAt(i))) i++;
    if (i < len && (i - gap !== 1 || text.charCodeAt(gap) !== 32)) clean = false;
  }
  const head = clean ? text.slice(start, end) : text.slice(start, end).replace(/\s+/g, ' ');
  return i < len ? `${head} …` : head;
}

/** Token estimate used by dry runs and progress before usage is known: about 4 characters per token. */
export function estimateTokens(messages: readonly ChatMessage[]): number {
  let chars = 0;
  for (const m of messages) chars += m.content.length;
  return Math.ceil(chars / 4);
}

/** Domain from a dataset name when none is given: yelp → business, book → book, steam → game, else product. */
export function guessDomain(name: string): Domain {
  const n = name.toLowerCase();
  if (n.includes('yelp')) return 'business';
  if (n.includes('book')) return 'book';
  if (n.includes('steam') || n.includes('game')) return 'game';
  return 'product';
}
