import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository (package) root, whether running from src/ under tsx or from dist/. */
export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** `../shared/data` next to the checkout, when it exists (benchmarks and experiments default to it). */
export function defaultDataRoot(): string | undefined {
  for (const base of [process.cwd(), packageRoot()]) {
    const p = join(base, '..', 'shared', 'data');
    if (existsSync(p)) return p;
  }
  return undefined;
}
