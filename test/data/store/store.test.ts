import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../../src/data/store/store.js';
import { MIGRATIONS } from '../../../src/data/store/migrations.js';
import { tempDir } from '../../helpers/temp-dir.js';

test('migrations apply once, in order, and are recorded', () => {
  const dir = tempDir('store');
  try {
    const path = join(dir, 'ws', 'lmmrec.sqlite');
    const s1 = openStore(path);
    assert.equal(s1.version, MIGRATIONS[MIGRATIONS.length - 1].version);
    const applied = s1.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
    assert.deepEqual(applied.map((r) => r.version), MIGRATIONS.map((m) => m.version));
    s1.close();
    const s2 = openStore(path); // reopening applies nothing new
    assert.equal((s2.db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get() as { n: number }).n, MIGRATIONS.length);
    s2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failing migration rolls back entirely', () => {
  const broken = [...MIGRATIONS, { version: 999, name: 'broken', sql: 'CREATE TABLE ok_table (x INTEGER); CREATE TABLE bad (' }];
  const dir = tempDir('store');
  try {
    const path = join(dir, 'lmmrec.sqlite');
    assert.throws(() => openStore(path, broken));
    const s = openStore(path);
    const t = s.db.prepare("SELECT name FROM sqlite_master WHERE name = 'ok_table'").get();
    assert.equal(t, undefined);
    s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a store newer than this code is refused with a clear message', () => {
  const dir = tempDir('store');
  try {
    const path = join(dir, 'lmmrec.sqlite');
    openStore(path, [...MIGRATIONS, { version: 1000, name: 'future', sql: 'SELECT 1' }]).close();
    assert.throws(() => openStore(path), /newer than this lmmrec/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('transaction() is all or nothing', () => {
  const s = openStore(':memory:');
  s.db.exec('CREATE TABLE t (x INTEGER)');
  assert.throws(() => s.transaction(() => {
    s.db.prepare('INSERT INTO t VALUES (1)').run();
    throw new Error('boom');
  }), /boom/);
  assert.equal((s.db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n, 0);
  s.close();
});
