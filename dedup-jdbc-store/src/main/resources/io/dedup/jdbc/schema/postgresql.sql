-- dedup processed-keys store, PostgreSQL. ${table}, ${positions} and ${expires_index} are replaced by validated
-- identifiers. Statements are separated by semicolons at line ends.

-- One row per (namespace, key). state: IN_PROGRESS, COMPLETED or RELEASED. token: the last fencing token handed
-- out for the key, kept in every state so that tokens never repeat. expires_at: when the row may be forgotten (by
-- the database's clock); purge deletes rows past it, claims treat them as absent.
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
    PRIMARY KEY (namespace, idem_key)
);

-- Keeps purging expired rows an index range scan.
CREATE INDEX IF NOT EXISTS ${expires_index} ON ${table} (expires_at);

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
