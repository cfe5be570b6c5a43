import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { test } from 'node:test';
import { loadDataset } from '../../src/data/load.js';
import { DataError } from '../../src/util/errors.js';
import { BAD_INPUT_CASES, copyFixture, expectedMessage, removeDir } from './bad-input-cases.js';

for (const c of BAD_INPUT_CASES) {
  test(`bad input: ${c.name} → DataError naming file, line and problem`, async () => {
    const dir = copyFixture(c.fixture);
    try {
      c.breakIt(dir);
      await assert.rejects(loadDataset(dir), (e: unknown) => {
        assert.ok(e instanceof DataError, `expected DataError, got ${String(e)}`);
        assert.match(e.message, expectedMessage(c));
        assert.equal(basename(e.where.file), c.file);
        if (typeof c.line === 'number') assert.equal(e.where.line, c.line);
        else if (c.line === 'some') assert.ok((e.where.line ?? 0) >= 1);
        else assert.equal(e.where.line, undefined);
        return true;
      });
    } finally {
      removeDir(dir);
    }
  });
}
