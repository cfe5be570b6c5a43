import assert from 'node:assert/strict';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeFileAtomic } from '../../src/util/write-atomic.js';
import { tempDir } from '../helpers/temp-dir.js';

test('writeFileAtomic replaces the file and leaves no temporary file behind, also under concurrent writers', async () => {
  const dir = tempDir('atomic');
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
