import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ManifestSchema, type Manifest } from '../../../src/data/preprocess/manifest.js';
import { pairsToTsv, writeDirAtomic, writeSplit, type PreparedSplit } from '../../../src/data/preprocess/write.js';
import { DataError, LmmrecError } from '../../../src/util/errors.js';
import { tempDir } from '../../helpers/temp-dir.js';

const manifest: Manifest = {
  format: 'lmmrec-data/1',
  kind: 'split',
  lmmrecVersion: '0.0.0',
  createdAt: '2026-01-01T00:00:00.000Z',
  seed: 1,
  inputs: [],
  steps: [],
  output: { users: 2, items: 3, train: 3, valid: 1, test: 1 },
};

function result(itemRaw = ['x', 'y', 'z']): PreparedSplit {
  return {
    numUsers: 2,
    numItems: 3,
    userRaw: ['a', 'b'],
    itemRaw,
    train: { users: Int32Array.of(1, 0, 1), items: Int32Array.of(0, 2, 2) },
    valid: { users: Int32Array.of(0), items: Int32Array.of(1) },
    test: { users: Int32Array.of(1), items: Int32Array.of(1) },
    manifest,
  };
}

test('pairsToTsv sorts by (user, item)', () => {
  assert.equal(pairsToTsv({ users: Int32Array.of(2, 0, 2, 0), items: Int32Array.of(1, 9, 0, 3) }, 10), '0\t3\n0\t9\n2\t0\n2\t1\n');
});

test('writeSplit writes the uniform format and a manifest that validates', async () => {
  const out = join(tempDir('write'), 'ds');
  await writeSplit(out, result());
  assert.equal(statSync(out).mode & 0o777, 0o755);
  assert.deepEqual(readdirSync(out).sort(), ['item_map.tsv', 'manifest.json', 'test.tsv', 'train.tsv', 'user_map.tsv', 'valid.tsv']);
  assert.equal(readFileSync(join(out, 'train.tsv'), 'utf8'), '0\t2\n1\t0\n1\t2\n');
  assert.equal(readFileSync(join(out, 'user_map.tsv'), 'utf8'), '0\ta\n1\tb\n');
  assert.equal(readFileSync(join(out, 'item_map.tsv'), 'utf8'), '0\tx\n1\ty\n2\tz\n');
  assert.deepEqual(ManifestSchema.parse(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'))), manifest);
});

test('a failure mid-write leaves neither the folder nor a temp dir', async () => {
  const parent = tempDir('write');
  const out = join(parent, 'ds');
  // train/valid/test are written before item_map.tsv, whose raw id holds a tab
  await assert.rejects(writeSplit(out, result(['x', 'y\tz', 'w'])), (e: unknown) => e instanceof DataError && /item_map\.tsv:2: field "raw_id"/.test(e.message));
  assert.equal(existsSync(out), false);
  assert.deepEqual(readdirSync(parent), []);
});

test('an existing folder is kept on failure, refused without overwrite, replaced with it', async () => {
  const parent = tempDir('write');
  const out = join(parent, 'ds');
  mkdirSync(out);
  writeFileSync(join(out, 'old.txt'), 'old');
  await assert.rejects(writeSplit(out, result()), (e: unknown) => e instanceof LmmrecError && e.code === 'USAGE');
  await assert.rejects(writeDirAtomic(out, async (tmp) => { writeFileSync(join(tmp, 'half'), '1'); throw new Error('disk full'); }, { overwrite: true }), /disk full/);
  assert.deepEqual(readdirSync(out), ['old.txt']);
  assert.deepEqual(readdirSync(parent), ['ds']);
  await writeSplit(out, result(), { overwrite: true });
  assert.equal(existsSync(join(out, 'old.txt')), false);
  assert.equal(readFileSync(join(out, 'valid.tsv'), 'utf8'), '0\t1\n');
  assert.deepEqual(readdirSync(parent), ['ds']);
});

test('an existing empty folder is filled without overwrite', async () => {
  const out = join(tempDir('write'), 'ds');
  mkdirSync(out);
  await writeSplit(out, result());
  assert.equal(readFileSync(join(out, 'test.tsv'), 'utf8'), '1\t1\n');
});
