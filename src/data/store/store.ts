import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LmmrecError } from '../../util/errors.js';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

/** The workspace's SQLite database, migrated to the latest schema. */
export interface Store {
  readonly db: Db;
  readonly path: string;
  /** Schema version after migration. */
  readonly version: number;
  /** Run `fn` in one transaction: either all of its writes land or none do. */
  transaction<T>(fn: () => T): T;
  close(): void;
}

/**
 * Open (creating if needed) the store at `path` (`:memory:` for tests). WAL mode so readers (the dashboard)
 * never block the writer (extraction); foreign keys on so deleting a dataset removes its rows.
 */
export function openStore(path: string, migrations: readonly Migration[] = MIGRATIONS): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  const version = migrate(db, migrations, path);
  return {
    db,
    path,
    version,
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
    close: () => db.close(),
  };
}

function migrate(db: Db, migrations: readonly Migration[], path: string): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  const current = row.v ?? 0;
  const latest = migrations.length ? migrations[migrations.length - 1].version : 0;
  if (current > latest) {
    throw new LmmrecError('STORE', `${path}: store schema version ${current} is newer than this lmmrec (${latest}); upgrade lmmrec`);
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    })();
  }
  return Math.max(current, latest);
}
