-- dedup processed-keys store, PostgreSQL. ${table}, ${positions}, ${purge_index} and ${retired_index} are replaced by
-- validated identifiers. Statements are separated by semicolons at line ends.

-- One row per (namespace, key). state: IN_PROGRESS, COMPLETED or RELEASED. token: the last fencing token handed
-- out for the key, kept in every state so that tokens never repeat. expires_at: when the row may be forgotten (by
-- the database's clock); claims and reads treat rows past it as absent. purge_after: never earlier than expires_at
-- (set with it by a claim or a release, raised by a later expiry, never lowered otherwise); the purge deletes rows
-- past both. Only purge_after is indexed, and a completion within the lease leaves it as the claim set it (claim
-- time + lease + retention is later than completion time + retention), so the completion changes no indexed column
-- and PostgreSQL can write it as a heap-only (HOT) update, without new index entries. The fill factor leaves each
-- page room for its rows' completed versions.
CREATE TABLE IF NOT EXISTS ${table} (
    namespace      VARCHAR(200) NOT NULL,
    idem_key       VARCHAR(128) NOT NULL,
    state          VARCHAR(11)  NOT NULL,
    token          BIGINT       NOT NULL,
    attempts       INTEGER      NOT NULL,
    lease_until    TIMESTAMPTZ  NULL,
    expires_at     TIMESTAMPTZ  NOT NULL,
    fingerprint    VARCHAR(200) NULL,
    outcome_status VARCHAR(16)  NULL,
    outcome_body   BYTEA        NULL,
    completed_at   TIMESTAMPTZ  NULL,
    created_at     TIMESTAMPTZ  NOT NULL,
    updated_at     TIMESTAMPTZ  NOT NULL,
    purge_after    TIMESTAMPTZ  NULL,
    PRIMARY KEY (namespace, idem_key)
) WITH (fillfactor = 80);

-- Tables made before purge_after existed get it, filled in from expires_at; the index on expires_at goes, since it
-- made every completion write new index entries. The column is checked first because ALTER TABLE would lock the table
-- at every start even when there is nothing to add. No row written since has purge_after NULL.
DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = '${table}'::regclass AND attname = 'purge_after' AND NOT attisdropped) THEN ALTER TABLE ${table} ADD COLUMN purge_after TIMESTAMPTZ NULL; END IF; END $$;

-- Keeps purging expired rows an index range scan.
CREATE INDEX IF NOT EXISTS ${purge_index} ON ${table} (purge_after);

UPDATE ${table} SET purge_after = expires_at WHERE purge_after IS NULL;
DROP INDEX IF EXISTS ${retired_index};

-- Consumed positions (e.g. Kafka offsets: the next offset to read), written in the same transaction as the keys
-- and the handler's effects.
CREATE TABLE IF NOT EXISTS ${positions} (
    namespace     VARCHAR(200) NOT NULL,
    stream        VARCHAR(255) NOT NULL,
    partition_no  INTEGER      NOT NULL,
    next_position BIGINT       NOT NULL,
    updated_at    TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (namespace, stream, partition_no)
);
