/**
 * Schema history of the workspace store. Append only: a migration that has shipped is never edited, a change
 * is a new entry. `openStore` applies the missing ones in order inside one transaction each.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'datasets and texts',
    sql: `
      CREATE TABLE datasets (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        source_dir  TEXT NOT NULL,
        num_users   INTEGER NOT NULL,
        num_items   INTEGER NOT NULL,
        manifest    TEXT NOT NULL,            -- JSON: input file hashes, counts
        imported_at TEXT NOT NULL
      );
      CREATE TABLE entity_texts (
        dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        kind        TEXT NOT NULL CHECK (kind IN ('user', 'item')),
        entity      INTEGER NOT NULL,
        source      TEXT NOT NULL,            -- e.g. user_profiles.jsonl.gz
        text        TEXT NOT NULL,
        PRIMARY KEY (dataset_id, kind, entity, source)
      );
      CREATE TABLE reviews (
        dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        seq         INTEGER NOT NULL,         -- line order in the source file
        user        INTEGER NOT NULL,
        item        INTEGER NOT NULL,
        rating      REAL,
        time        INTEGER,
        text        TEXT NOT NULL,
        summary     TEXT,
        PRIMARY KEY (dataset_id, seq)
      );
      CREATE INDEX reviews_by_user ON reviews(dataset_id, user);
      CREATE INDEX reviews_by_item ON reviews(dataset_id, item);
    `,
  },
];
