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
  {
    version: 2,
    name: 'llm cache and extraction runs',
    sql: `
      -- Content-addressed: key = sha256 of (provider, model, prompt version, input hash, sampling params).
      CREATE TABLE llm_outputs (
        key               TEXT PRIMARY KEY,
        provider          TEXT NOT NULL,        -- openai | llama-cpp | rules | dataset
        model             TEXT NOT NULL,
        prompt_version    TEXT NOT NULL,        -- e.g. item.v1@1a2b3c4d
        input_hash        TEXT NOT NULL,
        sampling          TEXT NOT NULL,        -- JSON
        status            TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'skipped-empty')),
        raw_text          TEXT,
        parsed            TEXT,                 -- JSON: {reasoning, motivations, summary, generator}
        error             TEXT,
        attempts          INTEGER NOT NULL DEFAULT 0,
        prompt_tokens     INTEGER NOT NULL DEFAULT 0,
        completion_tokens INTEGER NOT NULL DEFAULT 0,
        created_at        TEXT NOT NULL,
        updated_at        TEXT NOT NULL
      );
      -- Which output answers each user/item of a dataset for one extractor (several entities may share a key).
      CREATE TABLE llm_entity_outputs (
        dataset        TEXT NOT NULL,
        kind           TEXT NOT NULL CHECK (kind IN ('user', 'item')),
        entity         INTEGER NOT NULL,
        provider       TEXT NOT NULL,
        model          TEXT NOT NULL,
        prompt_version TEXT NOT NULL,
        key            TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        PRIMARY KEY (dataset, kind, entity, provider, model, prompt_version)
      );
      CREATE INDEX llm_entity_outputs_by_key ON llm_entity_outputs(key);
      CREATE TABLE llm_runs (
        id          INTEGER PRIMARY KEY,
        dataset     TEXT NOT NULL,
        kind        TEXT NOT NULL,
        provider    TEXT NOT NULL,
        model       TEXT NOT NULL,
        params      TEXT NOT NULL,              -- JSON
        status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'aborted', 'failed')),
        coverage    TEXT,                       -- JSON
        started_at  TEXT NOT NULL,
        finished_at TEXT
      );
      -- Requests written to an OpenAI Batch API file, so a result file can be ingested by custom_id (= key).
      CREATE TABLE llm_batch_requests (
        key            TEXT PRIMARY KEY,
        provider       TEXT NOT NULL,
        model          TEXT NOT NULL,
        prompt_version TEXT NOT NULL,
        input_hash     TEXT NOT NULL,
        sampling       TEXT NOT NULL,
        file           TEXT NOT NULL,
        created_at     TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'text embeddings and fitted text encoders',
    sql: `
      -- One vector per (collection, row) and encoder space, with the hash of the exact text it was computed
      -- from: a re-run recomputes only the rows whose text changed.
      CREATE TABLE text_embeddings (
        collection  TEXT NOT NULL,            -- e.g. rlmrec_amazon_book/profiles/user
        row         INTEGER NOT NULL,         -- entity id within the collection
        encoder     TEXT NOT NULL,            -- tfidf-svd | openai | transformers
        model       TEXT NOT NULL,
        dim         INTEGER NOT NULL,
        input_hash  TEXT NOT NULL,            -- sha256 of the embedded text
        vector      BLOB NOT NULL,            -- dim float32, little-endian
        created_at  TEXT NOT NULL,
        PRIMARY KEY (collection, encoder, model, dim, row)
      );
      -- Fitted state of corpus-fitted encoders (tfidf-svd), addressed by its content-hash model id.
      CREATE TABLE text_encoder_states (
        encoder     TEXT NOT NULL,
        model       TEXT NOT NULL,
        fit_key     TEXT NOT NULL,            -- what it was fitted for (dataset, source, options); latest is reused
        state       BLOB NOT NULL,            -- array container (text/encoders/array-file.ts)
        created_at  TEXT NOT NULL,
        PRIMARY KEY (encoder, model)
      );
      CREATE INDEX text_encoder_states_by_fit ON text_encoder_states(encoder, fit_key, created_at);
    `,
  },
  {
    version: 4,
    name: 'experiment runs',
    sql: `
      -- One row per run of an experiment folder (lmmrec experiment run), upserted as it starts, finishes or
      -- is interrupted; the run directory stays the source of truth, this table makes runs queryable.
      CREATE TABLE experiment_runs (
        out_dir       TEXT NOT NULL,           -- absolute experiment folder
        run_id        TEXT NOT NULL,           -- <dataset>[-n<rate>]-<arm>-s<seed>
        experiment    TEXT NOT NULL,           -- spec name
        dataset       TEXT NOT NULL,
        noise         REAL,                    -- noise rate, NULL without noise rates
        arm           TEXT NOT NULL,
        seed          INTEGER NOT NULL,
        run_dir       TEXT NOT NULL,
        config_hash   TEXT NOT NULL,           -- sha256 of the resolved run config
        status        TEXT NOT NULL CHECK (status IN ('running', 'done', 'aborted', 'failed')),
        test_metrics  TEXT,                    -- JSON, when done
        valid_metrics TEXT,                    -- JSON: best validation metrics, when done
        epochs        INTEGER,
        best_epoch    INTEGER,
        train_ms      REAL,
        test_ms       REAL,
        error         TEXT,
        started_at    TEXT NOT NULL,
        finished_at   TEXT,
        PRIMARY KEY (out_dir, run_id)
      );
      CREATE INDEX experiment_runs_by_name ON experiment_runs(experiment, dataset, arm);
    `,
  },
];
