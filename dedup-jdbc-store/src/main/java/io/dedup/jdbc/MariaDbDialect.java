package io.dedup.jdbc;

import io.dedup.DedupKey;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.Completion;
import io.dedup.spi.Position;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * MariaDB and MySQL: batches are multi-row statements. A batch statement stamps the rows it changes with a random
 * {@code last_writer} id ({@link StampedRows}); claims answer with {@code RETURNING} on MariaDB and read back under
 * the upsert's row locks on MySQL ({@link MariaDbClaim}); completions read back the rows stamped. {@code
 * UTC_TIMESTAMP(6)} is the clock (the statement's start). Text columns are binary and hold UTF-8, so that keys
 * compare byte for byte whatever the server's collation.
 */
final class MariaDbDialect extends SqlDialect {
    /** The database's clock in UTC, to the microsecond; the same for the whole statement. */
    static final String NOW = "UTC_TIMESTAMP(6)";
    /** The clock as microseconds since 1970: a new row's token. */
    static final String NOW_MICROS = "TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', " + NOW + ")";
    /** A claim's answer: the row, whether this statement's stamp is on it (acquired), the clock. */
    static final String ROW_ANSWER = ROW_COLUMNS + ", last_writer <=> ?, " + NOW;
    /** The row is held: in progress and not expired, by the database's clock. */
    private static final String HELD = " AND state = 'IN_PROGRESS' AND expires_at > " + NOW;

    private final MariaDbClaim claims;

    MariaDbDialect(TableName table, int timeoutSeconds) {
        super(table, timeoutSeconds, NOW, keyStatements(table.qualified()));
        this.claims = new MariaDbClaim(this, table);
    }

    private static KeyStatements keyStatements(String t) {
        // Fencing: the row changes only under the holder's token while it is held. Every write stamps last_writer
        // afresh, so that a stamp always names the last statement that changed the row, which the batch
        // read-backs rely on.
        String byToken = " WHERE namespace = ? AND idem_key = ? AND token = ?" + HELD;
        return new KeyStatements(
                "UPDATE " + t + " SET state = 'COMPLETED', outcome_status = ?, outcome_body = ?, completed_at = "
                        + NOW + ", lease_until = NULL, expires_at = " + NOW + " + INTERVAL ? MICROSECOND, updated_at = "
                        + NOW + ", last_writer = ?" + byToken,
                // expires_at before lease_until: it keeps the time the row outlives its lease.
                "UPDATE " + t + " SET expires_at = " + NOW
                        + " + INTERVAL (? + TIMESTAMPDIFF(MICROSECOND, lease_until, expires_at)) MICROSECOND,"
                        + " lease_until = " + NOW + " + INTERVAL ? MICROSECOND, updated_at = " + NOW
                        + ", last_writer = ?" + byToken,
                // The token stays in the released row, so the next claim's token is higher (GREATEST in the claim).
                "UPDATE " + t + " SET state = 'RELEASED', lease_until = NULL, expires_at = " + NOW
                        + " + INTERVAL ? MICROSECOND, updated_at = " + NOW + ", last_writer = ?" + byToken,
                // Oldest first, through the expires_at index; a bounded DELETE keeps each purge's locks few.
                "DELETE FROM " + t + " WHERE expires_at <= " + NOW + " ORDER BY expires_at LIMIT ?");
    }

    @Override
    JdbcDialect kind() {
        return JdbcDialect.MARIADB;
    }

    @Override
    String schemaResource() {
        return "schema/mariadb.sql";
    }

    @Override
    void beginTransaction(Connection connection) throws SQLException {
        // InnoDB's default REPEATABLE READ would read old snapshots and, with innodb_snapshot_isolation, refuse
        // locking reads of rows changed since; this applies to the next transaction only, so nothing to restore.
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
        }
    }

    /** See {@link MariaDbClaim#claim}. */
    @Override
    Map<DedupKey, KeyRow> claim(Connection connection, List<ClaimRequest> requests, boolean locking)
            throws SQLException {
        return claims.claim(connection, requests, locking);
    }

    /**
     * One {@code UPDATE ... JOIN} over the completions as a derived table ({@code UNION ALL} of one-row selects),
     * then a read-back of the rows carrying this statement's stamp: exactly those the update changed.
     */
    @Override
    Set<Written> completeAll(Connection connection, List<Completion> completions) throws SQLException {
        byte[] writer = StampedRows.newWriter();
        StringBuilder sql =
                new StringBuilder("UPDATE ").append(table.qualified()).append(" t JOIN (");
        for (int i = 0; i < completions.size(); i++) {
            sql.append(
                    i == 0
                            ? "SELECT ? AS ns, ? AS k, ? AS token, ? AS status, ? AS body, ? AS keep_us"
                            : " UNION ALL SELECT ?, ?, ?, ?, ?, ?");
        }
        // Fencing: only the row held under the completion's token changes.
        sql.append(") r ON t.namespace = r.ns AND t.idem_key = r.k SET t.state = 'COMPLETED',")
                .append(" t.outcome_status = r.status, t.outcome_body = r.body, t.completed_at = ")
                .append(NOW)
                .append(", t.lease_until = NULL, t.expires_at = ")
                .append(NOW)
                .append(" + INTERVAL r.keep_us MICROSECOND, t.updated_at = ")
                .append(NOW)
                .append(", t.last_writer = ? WHERE t.token = r.token AND t.state = 'IN_PROGRESS' AND t.expires_at > ")
                .append(NOW);
        List<DedupKey> keys = new ArrayList<>(completions.size());
        try (PreparedStatement ps = prepare(connection, sql.toString())) {
            int p = 1;
            for (Completion completion : completions) {
                keys.add(completion.key());
                ps.setBytes(p++, StoredText.utf8(completion.key().namespace()));
                ps.setBytes(p++, StoredText.utf8(completion.key().id()));
                ps.setLong(p++, completion.token());
                ps.setString(p++, completion.status().name());
                ps.setBytes(p++, completion.body());
                ps.setLong(p++, Micros.of(completion.retention()));
            }
            ps.setBytes(p, writer);
            if (ps.executeUpdate() == 0) {
                return Set.of();
            }
        }
        String readBack = "SELECT namespace, idem_key, token FROM " + table.qualified() + " WHERE ("
                + StampedRows.keysIn(keys) + ") AND last_writer = ?";
        try (PreparedStatement ps = prepare(connection, readBack)) {
            int p = StampedRows.bindKeys(ps, 1, keys);
            ps.setBytes(p, writer);
            try (ResultSet rs = ps.executeQuery()) {
                return written(rs, completions.size());
            }
        }
    }

    /** One multi-row {@code INSERT ... ON DUPLICATE KEY UPDATE}: saved positions are overwritten. */
    @Override
    void savePositions(Connection connection, String namespace, List<Position> positions) throws SQLException {
        StringBuilder sql = new StringBuilder("INSERT INTO ")
                .append(table.positions())
                .append(" (namespace, stream, partition_no, next_position, updated_at) VALUES ");
        for (int i = 0; i < positions.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ").append(NOW).append(')');
        }
        sql.append(" ON DUPLICATE KEY UPDATE next_position = VALUES(next_position), updated_at = VALUES(updated_at)");
        try (PreparedStatement ps = prepare(connection, sql.toString())) {
            int p = 1;
            byte[] ns = StoredText.utf8(namespace);
            for (Position position : positions) {
                ps.setBytes(p++, ns);
                ps.setBytes(p++, StoredText.utf8(position.stream()));
                ps.setInt(p++, position.partition());
                ps.setLong(p++, position.next());
            }
            ps.executeUpdate();
        }
    }

    /** Each single-key write gets a fresh stamp of its own. */
    @Override
    int bindStamp(PreparedStatement ps, int index) throws SQLException {
        ps.setBytes(index, StampedRows.newWriter());
        return index + 1;
    }

    @Override
    void setText(PreparedStatement ps, int index, String value) throws SQLException {
        ps.setBytes(index, StoredText.utf8(value));
    }

    /** Decoded from the column's bytes, so the connection's character set never changes a key. */
    @Override
    String text(ResultSet rs, int column) throws SQLException {
        return StoredText.utf8(rs.getBytes(column));
    }

    /** The columns are {@code DATETIME(6)} in UTC (written from {@code UTC_TIMESTAMP}), without a zone. */
    @Override
    Instant instant(ResultSet rs, int column) throws SQLException {
        LocalDateTime value = rs.getObject(column, LocalDateTime.class);
        return value == null ? null : value.toInstant(ZoneOffset.UTC);
    }
}
