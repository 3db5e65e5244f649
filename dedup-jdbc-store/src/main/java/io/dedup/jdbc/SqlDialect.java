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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * The statements of one dialect for one table. Every method is one statement (a batch method: one statement per
 * chunk, plus a read-back where the dialect has no {@code RETURNING}), judged by the database's clock, with the
 * query timeout set. Immutable and thread-safe; connections are the caller's.
 *
 * <p>What both dialects share lives here: the single-key statements' execution (their SQL differs, the parameter
 * order does not), reading rows, and the positions query. The batch statements, where the dialects differ most
 * (arrays and {@code unnest} against multi-row upserts with a read-back), are the subclasses' own.
 *
 * <p>Table names come from {@link TableName}, which accepts only plain identifiers, so they can be concatenated
 * into the SQL; every value is a bound parameter.
 */
abstract class SqlDialect {
    /** Columns every row query selects, in this order. */
    static final String ROW_COLUMNS = "namespace, idem_key, state, token, attempts, lease_until, expires_at, "
            + "fingerprint, outcome_status, outcome_body, completed_at";

    /** A completion that took effect: its key (as stored) and token. */
    record Written(DedupKey key, long token) {}

    /**
     * The single-key statements of a dialect. Their parameters come in one order, which {@link #complete}, {@link
     * #renew} and {@link #release} bind: the new values, then the dialect's {@linkplain #bindStamp stamp} if it has
     * one, then namespace, id and token. Each changes the row only while it is held under that token and not
     * expired by the database's clock: the token is the fence that keeps a worker whose lease was taken over out.
     *
     * @param complete values: outcome status, body, retention in microseconds
     * @param renew values: lease in microseconds, twice (for the lease end and the expiry)
     * @param release values: retention in microseconds
     * @param purge one parameter: the most rows to delete
     */
    record KeyStatements(String complete, String renew, String release, String purge) {}

    final TableName table;
    private final int timeoutSeconds;
    private final KeyStatements statements;
    private final String findSql;
    private final String positionsSql;

    /**
     * @param now the SQL of the database's clock, which every expiry is judged by (never this process's clock, so
     *     consumers on hosts with skewed clocks still agree on who holds a key)
     */
    SqlDialect(TableName table, int timeoutSeconds, String now, KeyStatements statements) {
        this.table = table;
        this.timeoutSeconds = timeoutSeconds;
        this.statements = statements;
        // A row past its expiry is absent to readers although no purge has deleted it yet.
        this.findSql = "SELECT " + ROW_COLUMNS + ", FALSE, " + now + " FROM " + table.qualified()
                + " WHERE namespace = ? AND idem_key = ? AND expires_at > " + now;
        this.positionsSql =
                "SELECT partition_no, next_position FROM " + table.positions() + " WHERE namespace = ? AND stream = ?";
    }

    static SqlDialect of(JdbcDialect dialect, TableName table, int timeoutSeconds) {
        return switch (dialect) {
            case POSTGRESQL -> new PostgresDialect(table, timeoutSeconds);
            case MARIADB -> new MariaDbDialect(table, timeoutSeconds);
        };
    }

    /**
     * The dialect of the database behind {@code dataSource}, from its product name.
     *
     * @throws io.dedup.DedupStoreUnavailableException if no connection can be had
     * @throws IllegalArgumentException if the product is not supported
     */
    static JdbcDialect detect(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return JdbcDialect.fromProductName(connection.getMetaData().getDatabaseProductName());
        } catch (SQLException e) {
            throw SqlFailures.unavailable("jdbc store", "read the database product to choose a dialect", e);
        }
    }

    abstract JdbcDialect kind();

    /** The schema script's resource name. */
    abstract String schemaResource();

    /**
     * Why this dialect cannot store {@code key}, or null when it can. Such a key can have no row, so a claim of it
     * fails as corrupt and every write of it is fenced.
     */
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

    /** Upserts positions with distinct (stream, partition). */
    abstract void savePositions(Connection connection, String namespace, List<Position> positions) throws SQLException;

    /** Binds a text value as the dialect stores text (PostgreSQL: {@code text}; MariaDB: UTF-8 bytes). */
    abstract void setText(PreparedStatement ps, int index, String value) throws SQLException;

    /** Reads a text column as {@link #setText} wrote it. */
    abstract String text(ResultSet rs, int column) throws SQLException;

    /** Reads a timestamp column as an instant on the UTC time line. */
    abstract Instant instant(ResultSet rs, int column) throws SQLException;

    /**
     * Binds the dialect's stamp of a single-key write at {@code index}, if it has one; answers the next index. A
     * stamp marks the rows a statement changed, for dialects that read them back instead of using {@code
     * RETURNING}.
     */
    int bindStamp(PreparedStatement ps, int index) throws SQLException {
        return index;
    }

    // ---------------------------------------------------------------- single-key statements

    /** Completes a key held under the completion's token; false when fenced (another token holds it, or none). */
    final boolean complete(Connection connection, Completion completion) throws SQLException {
        try (PreparedStatement ps = prepare(connection, statements.complete())) {
            ps.setString(1, completion.status().name());
            ps.setBytes(2, completion.body());
            ps.setLong(3, Micros.of(completion.retention()));
            bindKey(ps, bindStamp(ps, 4), completion.key(), completion.token());
            return ps.executeUpdate() == 1;
        }
    }

    /** Extends the lease of a key held under {@code token}; false when fenced. */
    final boolean renew(Connection connection, DedupKey key, long token, Duration lease) throws SQLException {
        try (PreparedStatement ps = prepare(connection, statements.renew())) {
            long micros = Micros.of(lease);
            ps.setLong(1, micros);
            ps.setLong(2, micros);
            bindKey(ps, bindStamp(ps, 3), key, token);
            return ps.executeUpdate() == 1;
        }
    }

    /** Gives back a key held under {@code token}, keeping its token for the next claim to exceed; false when fenced. */
    final boolean release(Connection connection, DedupKey key, long token, Duration retention) throws SQLException {
        try (PreparedStatement ps = prepare(connection, statements.release())) {
            ps.setLong(1, Micros.of(retention));
            bindKey(ps, bindStamp(ps, 2), key, token);
            return ps.executeUpdate() == 1;
        }
    }

    /** The live row of a key. */
    final Optional<KeyRow> find(Connection connection, DedupKey key) throws SQLException {
        try (PreparedStatement ps = prepare(connection, findSql)) {
            setText(ps, 1, key.namespace());
            setText(ps, 2, key.id());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    /** Deletes at most {@code max} expired rows. */
    final int purge(Connection connection, int max) throws SQLException {
        try (PreparedStatement ps = prepare(connection, statements.purge())) {
            ps.setInt(1, max);
            return ps.executeUpdate();
        }
    }

    /** The saved positions of {@code stream} in {@code namespace}, by partition. */
    final Map<Integer, Long> positions(Connection connection, String namespace, String stream) throws SQLException {
        Map<Integer, Long> positions = new HashMap<>();
        try (PreparedStatement ps = prepare(connection, positionsSql)) {
            setText(ps, 1, namespace);
            setText(ps, 2, stream);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    positions.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        return positions;
    }

    // ---------------------------------------------------------------- shared

    /** A statement with the store's query timeout, which bounds every wait for a row lock. */
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

    /** Binds namespace, id and token at {@code first} and the two indexes after it. */
    final void bindKey(PreparedStatement ps, int first, DedupKey key, long token) throws SQLException {
        setText(ps, first, key.namespace());
        setText(ps, first + 1, key.id());
        ps.setLong(first + 2, token);
    }

    /** Reads {@link #ROW_COLUMNS} followed by the acquired flag and the database's now. */
    final KeyRow row(ResultSet rs) throws SQLException {
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

    /** Every row of a claim's answer (see {@link #row}), by key as stored. */
    final Map<DedupKey, KeyRow> rows(ResultSet rs, int expected) throws SQLException {
        Map<DedupKey, KeyRow> rows = new HashMap<>(expected * 2);
        while (rs.next()) {
            KeyRow row = row(rs);
            rows.put(row.key(), row);
        }
        return rows;
    }

    /** Every (namespace, id, token) row of a completion's answer. */
    final Set<Written> written(ResultSet rs, int expected) throws SQLException {
        Set<Written> written = new HashSet<>(expected * 2);
        while (rs.next()) {
            written.add(new Written(new DedupKey(text(rs, 1), text(rs, 2)), rs.getLong(3)));
        }
        return written;
    }
}
