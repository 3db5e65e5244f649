package io.dedup.jdbc;

import io.dedup.DedupKey;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.Completion;
import io.dedup.spi.Position;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The statements of one dialect for one table. Every method is one statement (a batch method: one statement per
 * chunk, plus a read-back where the dialect has no {@code RETURNING}), judged by the database's clock, with the
 * query timeout set. Immutable and thread-safe; connections are the caller's.
 */
abstract class SqlDialect {
    /** Columns every row query selects, in this order. */
    static final String ROW_COLUMNS = "namespace, idem_key, state, token, attempts, lease_until, expires_at, "
            + "fingerprint, outcome_status, outcome_body, completed_at";

    /** A completion that took effect: its key (as stored) and token. */
    record Written(DedupKey key, long token) {}

    final TableName table;
    private final int timeoutSeconds;

    SqlDialect(TableName table, int timeoutSeconds) {
        this.table = table;
        this.timeoutSeconds = timeoutSeconds;
    }

    static SqlDialect of(JdbcDialect dialect, TableName table, int timeoutSeconds) {
        return switch (dialect) {
            case POSTGRESQL -> new PostgresDialect(table, timeoutSeconds);
            case MARIADB -> new MariaDbDialect(table, timeoutSeconds);
        };
    }

    abstract JdbcDialect kind();

    /** The schema script's resource name. */
    abstract String schemaResource();

    /** Why this dialect cannot store {@code key}, or null when it can. */
    String unstorable(DedupKey key) {
        return null;
    }

    /** Prepares a connection of the store's own for a transaction (autocommit is already off). */
    void beginTransaction(Connection connection) throws SQLException {}

    /**
     * Claims requests with distinct keys: acquires those that are absent, expired, released or lapsed, and answers
     * the row of every key it found, keyed by the key as stored. A key missing from the answer was inserted
     * concurrently and must be claimed again.
     *
     * @param locking whether the connection is inside a transaction, where reads must see the latest rows
     */
    abstract Map<DedupKey, KeyRow> claim(Connection connection, List<ClaimRequest> requests, boolean locking)
            throws SQLException;

    /** Completes distinct (key, token) pairs; answers those that took effect. */
    abstract Set<Written> completeAll(Connection connection, List<Completion> completions) throws SQLException;

    abstract boolean complete(Connection connection, Completion completion) throws SQLException;

    abstract boolean renew(Connection connection, DedupKey key, long token, Duration lease) throws SQLException;

    abstract boolean release(Connection connection, DedupKey key, long token, Duration retention) throws SQLException;

    /** The live row of a key. */
    abstract Optional<KeyRow> find(Connection connection, DedupKey key) throws SQLException;

    /** Deletes at most {@code max} expired rows. */
    abstract int purge(Connection connection, int max) throws SQLException;

    /** Upserts positions with distinct (stream, partition). */
    abstract void savePositions(Connection connection, String namespace, List<Position> positions) throws SQLException;

    abstract Map<Integer, Long> positions(Connection connection, String namespace, String stream) throws SQLException;

    // ---------------------------------------------------------------- shared

    PreparedStatement prepare(Connection connection, String sql) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        try {
            statement.setQueryTimeout(timeoutSeconds);
            configure(statement);
        } catch (SQLException | RuntimeException e) {
            statement.close();
            throw e;
        }
        return statement;
    }

    /** Dialect-specific settings of a statement the store prepared, before its parameters are bound. */
    void configure(PreparedStatement statement) throws SQLException {}

    abstract String text(ResultSet rs, int column) throws SQLException;

    abstract Instant instant(ResultSet rs, int column) throws SQLException;

    /** Reads {@link #ROW_COLUMNS} followed by the acquired flag and the database's now. */
    KeyRow row(ResultSet rs) throws SQLException {
        return new KeyRow(
                new DedupKey(text(rs, 1), text(rs, 2)),
                rs.getBoolean(12),
                rs.getString(3),
                rs.getLong(4),
                rs.getInt(5),
                instant(rs, 6),
                instant(rs, 7),
                text(rs, 8),
                rs.getString(9),
                rs.getBytes(10),
                instant(rs, 11),
                instant(rs, 13));
    }
}
