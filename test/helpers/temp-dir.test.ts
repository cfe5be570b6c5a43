import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { tempDir } from './temp-dir.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const HELPER = resolve(import.meta.dirname, 'temp-dir.ts');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Run a node:test file that makes temp dirs and ends badly; return the dirs it reported making. */
function dirsLeftBy(body: string[]): string[] {
  const work = tempDir('temp-dir');
  const report = join(work, 'made.txt');
  const script = join(work, 'probe.test.mts');
  writeFileSync(script, [
    "import { appendFileSync, writeFileSync } from 'node:fs';",
    "import { join } from 'node:path';",
    "import { test } from 'node:test';",
    `import { tempDir } from ${JSON.stringify(HELPER)};`,
    `const made = (d) => { appendFileSync(${JSON.stringify(report)}, d + '\\n'); writeFileSync(join(d, 'f.bin'), 'x'); return d; };`,
    "made(tempDir('probe'));",
    ...body,
  ].join('\n'));
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.notEqual(r.status, 0, 'the probe file fails on purpose');
  return readFileSync(report, 'utf8').trim().split('\n');
}

test('tempDir makes a fresh empty lmmrec-<prefix>-XXXXXX dir under os.tmpdir()', () => {
  const a = tempDir('probe');
  const b = tempDir('probe');
  assert.notEqual(a, b);
  assert.equal(dirname(a), tmpdir());
  assert.match(basename(a), /^lmmrec-probe-[A-Za-z0-9]{6}$/);
  assert.deepEqual(readdirSync(a), []);
});

test('the dirs of a test file are removed when the file ends, also when its tests fail', () => {
  const dirs = dirsLeftBy(["test('fails', () => { made(tempDir('probe')); throw new Error('on purpose'); });"]);
  assert.equal(dirs.length, 2);
  assert.deepEqual(dirs.filter((d) => existsSync(d)), []);
});

test('the dirs are removed when a test calls process.exit before the hooks run', () => {
  const dirs = dirsLeftBy(["test('exits', () => { made(tempDir('probe')); process.exit(3); });"]);
  assert.equal(dirs.length, 2);
  assert.deepEqual(dirs.filter((d) => existsSync(d)), []);
});

test('no test file makes its own temp dir (use tempDir from test/helpers/temp-dir.ts)', () => {
  const own = new Set([HELPER, resolve(import.meta.dirname, 'temp-dir.test.ts')]);
  const offenders = walk(join(ROOT, 'test'))
    .filter((f) => !own.has(f) && /\bmkdtemp(Sync)?\b/.test(readFileSync(f, 'utf8')))
    .map((f) => relative(ROOT, f));
  assert.deepEqual(offenders, []);
});
