import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

/**
 * The folders follow the data flow (docs: style.md §1): a folder may import only from folders to its left.
 * Deliberate exceptions, each for a reason:
 * - text/encoders → tensor: the truncated SVD of the built-in encoder is a numerical kernel and kernels live
 *   only in tensor/ (PolyCF's low-pass term uses the same SVD).
 * - text/encoders → text/llm: the motivation record type, to build the M matrix string (§E.4).
 */
const ALLOWED: Record<string, string[]> = {
  util: [],
  config: ['util'],
  data: ['util', 'config'],
  'text/llm': ['data', 'config', 'util'],
  'text/encoders': ['data', 'config', 'util', 'tensor', 'text/llm'],
  tensor: ['util'],
  models: ['tensor', 'data', 'config', 'util'],
  train: ['models', 'tensor', 'data', 'config', 'util'],
  eval: ['tensor', 'models', 'data', 'util', 'config'],
  experiments: ['util', 'config', 'data', 'text/llm', 'text/encoders', 'tensor', 'models', 'train', 'eval'],
  serve: ['models', 'eval', 'text/llm', 'text/encoders', 'tensor', 'data', 'config', 'util'],
  cli: ['*'],
  '.': ['util', 'config', 'data', 'text/llm', 'text/encoders', 'tensor', 'models', 'train', 'eval', 'experiments', 'serve'],
};

const SRC = resolve(import.meta.dirname, '..', 'src');

function area(file: string): string {
  const rel = relative(SRC, file).split('/');
  if (rel.length === 1) return '.';
  if (rel[0] === 'text') return `text/${rel[1]}`;
  return rel[0];
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const SPECIFIER = /(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

test('every import goes left in the data flow', () => {
  const violations: string[] = [];
  for (const file of walk(SRC)) {
    const from = area(file);
    const allowed = ALLOWED[from];
    assert.ok(allowed, `${relative(SRC, file)} is in a folder the layout does not know (${from}); add it to style.md and this test`);
    for (const m of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const to = area(resolve(dirname(file), m[1] ?? m[2]));
      if (to === from || allowed.includes('*') || allowed.includes(to)) continue;
      violations.push(`${relative(SRC, file)} (${from}) imports ${m[1] ?? m[2]} (${to})`);
    }
  }
  assert.deepEqual(violations, []);
});

test('no source file outgrows 400 lines', () => {
  const big = walk(SRC).map((f) => [relative(SRC, f), readFileSync(f, 'utf8').split('\n').length] as const).filter(([, n]) => n > 400);
  assert.deepEqual(big, []);
});
