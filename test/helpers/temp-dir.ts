import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/**
 * Temp dirs for tests that clean up after themselves. Each test file runs in its own process, so one root-level
 * `after` hook per process removes every dir the file made, also when tests fail; the `exit` listener covers a
 * file that calls process.exit or dies before node:test runs its hooks.
 */
const made: string[] = [];

function removeAll(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

// Registered at import, at the root: an `after` called inside a running test would attach to that test only.
after(removeAll);
process.once('exit', removeAll);

/** A fresh empty `lmmrec-<prefix>-XXXXXX` dir under os.tmpdir(), removed with everything in it when the file ends. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `lmmrec-${prefix}-`));
  made.push(dir);
  return dir;
}
