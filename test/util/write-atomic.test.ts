import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeFileAtomic } from '../../src/util/write-atomic.js';

test('writeFileAtomic replaces the file and leaves no temporary file behind, also under concurrent writers', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lmmrec-atomic-'));
  try {
    const path = join(dir, 'report.md');
    await writeFileAtomic(path, 'first');
    await Promise.all(['a', 'b', 'c'].map((s) => writeFileAtomic(path, s.repeat(100_000))));
    const text = await readFile(path, 'utf8');
    assert.equal(text.length, 100_000);
    assert.ok(['a', 'b', 'c'].includes(text[0]) && text === text[0].repeat(100_000));
    assert.deepEqual(await readdir(dir), ['report.md']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
