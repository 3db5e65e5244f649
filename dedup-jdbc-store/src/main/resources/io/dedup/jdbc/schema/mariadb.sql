-- dedup processed-keys store, MariaDB / MySQL (InnoDB). ${table}, ${positions} and ${expires_index} are replaced
-- by validated identifiers. Statements are separated by semicolons at line ends.

-- One row per (namespace, key). Names, keys and fingerprints are VARBINARY (UTF-8 bytes) so that comparison is
-- exact: the default collations ignore case and trailing spaces, which would merge distinct keys.
-- state: IN_PROGRESS, COMPLETED or RELEASED. token: the last fencing token handed out for the key, kept in every
-- state so that tokens never repeat. expires_at: when the row may be forgotten, in UTC by the server's clock.
-- last_writer: a random id of the statement that last changed the row; batch statements read it back to learn
-- which rows they changed, because MySQL has no RETURNING.
CREATE TABLE IF NOT EXISTS ${table} (
    namespace      VARBINARY(800) NOT NULL,
    idem_key       VARBINARY(512) NOT NULL,
    state          VARCHAR(11)    CHARACTER SET ascii NOT NULL,
    token          BIGINT         NOT NULL,
    attempts       INT            NOT NULL,
    lease_until    DATETIME(6)    NULL,
    expires_at     DATETIME(6)    NOT NULL,
    fingerprint    VARBINARY(800) NULL,
    outcome_status VARCHAR(16)    CHARACTER SET ascii NULL,
    outcome_body   LONGBLOB       NULL,
    completed_at   DATETIME(6)    NULL,
    created_at     DATETIME(6)    NOT NULL,
    updated_at     DATETIME(6)    NOT NULL,
    last_writer    BINARY(16)     NULL,
    PRIMARY KEY (namespace, idem_key),
    KEY ${expires_index} (expires_at)
) ENGINE = InnoDB;

-- Consumed positions (e.g. Kafka offsets: the next offset to read), written in the same transaction as the keys
-- and the handler's effects.
CREATE TABLE IF NOT EXISTS ${positions} (
    namespace     VARBINARY(800)  NOT NULL,
    stream        VARBINARY(1020) NOT NULL,
    partition_no  INT             NOT NULL,
    next_position BIGINT          NOT NULL,
    updated_at    DATETIME(6)     NOT NULL,
    PRIMARY KEY (namespace, stream, partition_no)
) ENGINE = InnoDB;
