package io.dedup.jdbc;

import io.dedup.DedupKey;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.Completion;
import io.dedup.spi.Position;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * MariaDB and MySQL: batches are multi-row statements. A batch statement stamps the rows it changes with a random
 * {@code last_writer} id; claims answer with {@code RETURNING} on MariaDB and read back under the upsert's row locks
 * on MySQL (see {@link #claim}); completions read back the rows stamped. {@code UTC_TIMESTAMP(6)} is the
 * clock (the statement's start). Every row assignment of {@code ON DUPLICATE KEY UPDATE} sees the columns assigned
 * before it, so the first one decides (stamping {@code last_writer}) and the others follow that stamp.
 */
final class MariaDbDialect extends SqlDialect {
    private static final String NOW = "UTC_TIMESTAMP(6)";
    private static final String NOW_MICROS = "TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', " + NOW + ")";
    private static final String ROW_ANSWER = ROW_COLUMNS + ", last_writer <=> ?, " + NOW;
    /** Parameters of one row of the claim upsert ({@code claimRow}). */
    private static final int CLAIM_ROW_PARAMETERS = 6;

    private final String insertPrefix;
    private final String claimRow;
    private final String onDuplicate;
    private final String completeSql;
    private final String renewSql;
    private final String releaseSql;
    private final String findSql;
    private final String purgeSql;
    /** Whether the server has {@code INSERT ... RETURNING}: null until the first claim asks. */
    private volatile Boolean returning;

    MariaDbDialect(TableName table, int timeoutSeconds) {
        super(table, timeoutSeconds);
        String t = table.qualified();
        insertPrefix = "INSERT INTO " + t + " (namespace, idem_key, state, token, attempts, lease_until, expires_at,"
                + " fingerprint, outcome_status, outcome_body, completed_at, created_at, updated_at, last_writer)"
                + " VALUES ";
        claimRow = "(?, ?, 'IN_PROGRESS', " + NOW_MICROS + ", 1, " + NOW + " + INTERVAL ? MICROSECOND, " + NOW
                + " + INTERVAL ? MICROSECOND, ?, NULL, NULL, NULL, " + NOW + ", " + NOW + ", ?)";
        String claimable = "expires_at <= " + NOW
                + " OR ((VALUES(fingerprint) IS NULL OR fingerprint IS NULL OR fingerprint = VALUES(fingerprint))"
                + " AND (state = 'RELEASED' OR (state = 'IN_PROGRESS' AND lease_until <= " + NOW + ")))";
        // Assignments run left to right, each seeing the columns assigned before it: last_writer decides on the old
        // row, the others follow its stamp. Under MariaDB's SIMULTANEOUS_ASSIGNMENT mode every assignment sees the
        // old row instead, where the stamp is not yet there but the condition still holds; "stamped or claimable"
        // is right either way, because nothing changes in a row that is not claimable. attempts and created_at
        // read the old expires_at, so they come before it.
        String mine = "(last_writer <=> VALUES(last_writer) OR " + claimable + ")";
        onDuplicate = " ON DUPLICATE KEY UPDATE"
                + " last_writer = IF(" + claimable + ", VALUES(last_writer), last_writer),"
                + " token = IF(" + mine + ", GREATEST(token + 1, VALUES(token)), token),"
                + " attempts = IF(" + mine + ", IF(expires_at <= " + NOW + ", 1, attempts + 1), attempts),"
                + " created_at = IF(" + mine + " AND expires_at <= " + NOW + ", VALUES(created_at), created_at),"
                + " state = IF(" + mine + ", 'IN_PROGRESS', state),"
                + " lease_until = IF(" + mine + ", VALUES(lease_until), lease_until),"
                + " expires_at = IF(" + mine + ", VALUES(expires_at), expires_at),"
                + " fingerprint = IF(" + mine + ", VALUES(fingerprint), fingerprint),"
                + " outcome_status = IF(" + mine + ", NULL, outcome_status),"
                + " outcome_body = IF(" + mine + ", NULL, outcome_body),"
                + " completed_at = IF(" + mine + ", NULL, completed_at),"
                + " updated_at = IF(" + mine + ", VALUES(updated_at), updated_at)";
        String held = " AND state = 'IN_PROGRESS' AND expires_at > " + NOW;
        String byToken = " WHERE namespace = ? AND idem_key = ? AND token = ?" + held;
        completeSql = "UPDATE " + t + " SET state = 'COMPLETED', outcome_status = ?, outcome_body = ?, completed_at = "
                + NOW + ", lease_until = NULL, expires_at = " + NOW + " + INTERVAL ? MICROSECOND, updated_at = "
                + NOW + ", last_writer = ?" + byToken;
        // expires_at before lease_until: it keeps the time the row outlives its lease.
        renewSql = "UPDATE " + t + " SET expires_at = " + NOW
                + " + INTERVAL (? + TIMESTAMPDIFF(MICROSECOND, lease_until, expires_at)) MICROSECOND,"
                + " lease_until = " + NOW + " + INTERVAL ? MICROSECOND, updated_at = " + NOW + ", last_writer = ?"
                + byToken;
        releaseSql = "UPDATE " + t + " SET state = 'RELEASED', lease_until = NULL, expires_at = " + NOW
                + " + INTERVAL ? MICROSECOND, updated_at = " + NOW + ", last_writer = ?" + byToken;
        findSql = "SELECT " + ROW_COLUMNS + ", FALSE, " + NOW + " FROM " + t
                + " WHERE namespace = ? AND idem_key = ? AND expires_at > " + NOW;
        purgeSql = "DELETE FROM " + t + " WHERE expires_at <= " + NOW + " ORDER BY expires_at LIMIT ?";
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

    /**
     * One multi-row upsert whose answer comes from the same statement and row locks as its write. On MariaDB (10.5+)
     * that is {@code INSERT ... RETURNING}, which answers every row as the statement left it. MySQL has no {@code
     * RETURNING}: there the upsert and a locking read-back ({@code SELECT ... FOR UPDATE}) share one transaction,
     * so the upsert's row locks keep every other claim out until the answer is read. A read-back after the upsert
     * committed would not do: once the lease it took lapsed, another claim could take the row over first, and the
     * read-back would answer "in progress" for a key this statement had acquired (an acquisition nobody learns of).
     */
    @Override
    Map<DedupKey, KeyRow> claim(Connection connection, List<ClaimRequest> requests, boolean locking)
            throws SQLException {
        byte[] writer = newWriter();
        StringBuilder upsert = new StringBuilder(insertPrefix);
        for (int i = 0; i < requests.size(); i++) {
            upsert.append(i == 0 ? "" : ", ").append(claimRow);
        }
        upsert.append(onDuplicate);
        if (returning(connection)) {
            upsert.append(" RETURNING ").append(ROW_ANSWER);
            try (PreparedStatement ps = prepare(connection, upsert.toString())) {
                bindUpsert(ps, requests, writer);
                ps.setBytes(requests.size() * CLAIM_ROW_PARAMETERS + 1, writer);
                try (ResultSet rs = ps.executeQuery()) {
                    return rows(rs, requests.size());
                }
            }
        }
        if (locking) {
            return upsertAndReadBack(connection, upsert.toString(), requests, writer);
        }
        connection.setAutoCommit(false);
        try {
            beginTransaction(connection);
            Map<DedupKey, KeyRow> rows = upsertAndReadBack(connection, upsert.toString(), requests, writer);
            connection.commit();
            return rows;
        } catch (SQLException | RuntimeException e) {
            JdbcStoreTransaction.rollbackQuietly(connection, e);
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    /** The upsert, then its rows read with {@code FOR UPDATE}; inside a transaction, whose locks keep them as written. */
    private Map<DedupKey, KeyRow> upsertAndReadBack(
            Connection connection, String upsert, List<ClaimRequest> requests, byte[] writer) throws SQLException {
        try (PreparedStatement ps = prepare(connection, upsert)) {
            bindUpsert(ps, requests, writer);
            ps.executeUpdate();
        }
        List<DedupKey> keys = new ArrayList<>(requests.size());
        for (ClaimRequest request : requests) {
            keys.add(request.key());
        }
        String readBack =
                "SELECT " + ROW_ANSWER + " FROM " + table.qualified() + " WHERE " + keysIn(keys) + " FOR UPDATE";
        try (PreparedStatement ps = prepare(connection, readBack)) {
            ps.setBytes(1, writer);
            bindKeys(ps, 2, keys);
            try (ResultSet rs = ps.executeQuery()) {
                return rows(rs, requests.size());
            }
        }
    }

    private void bindUpsert(PreparedStatement ps, List<ClaimRequest> requests, byte[] writer) throws SQLException {
        int p = 1;
        for (ClaimRequest request : requests) {
            long lease = Micros.of(request.lease());
            ps.setBytes(p++, StoredText.utf8(request.key().namespace()));
            ps.setBytes(p++, StoredText.utf8(request.key().id()));
            ps.setLong(p++, lease);
            ps.setLong(p++, lease + Micros.of(request.retention()));
            ps.setBytes(p++, request.fingerprint().map(StoredText::utf8).orElse(null));
            ps.setBytes(p++, writer);
        }
    }

    private Map<DedupKey, KeyRow> rows(ResultSet rs, int expected) throws SQLException {
        Map<DedupKey, KeyRow> rows = new HashMap<>(expected * 2);
        while (rs.next()) {
            KeyRow row = row(rs);
            rows.put(row.key(), row);
        }
        return rows;
    }

    /**
     * Whether the server is MariaDB 10.5 or newer, which has {@code INSERT ... RETURNING}; asked once, from the
     * metadata the driver keeps from its handshake.
     */
    private boolean returning(Connection connection) throws SQLException {
        Boolean known = returning;
        if (known == null) {
            DatabaseMetaData meta = connection.getMetaData();
            boolean mariaDb = meta.getDatabaseProductName()
                            .toLowerCase(Locale.ROOT)
                            .contains("mariadb")
                    || meta.getDatabaseProductVersion().toLowerCase(Locale.ROOT).contains("mariadb");
            int major = meta.getDatabaseMajorVersion();
            known = mariaDb && (major > 10 || (major == 10 && meta.getDatabaseMinorVersion() >= 5));
            returning = known;
        }
        return known;
    }

    @Override
    Set<Written> completeAll(Connection connection, List<Completion> completions) throws SQLException {
        byte[] writer = newWriter();
        StringBuilder sql =
                new StringBuilder("UPDATE ").append(table.qualified()).append(" t JOIN (");
        for (int i = 0; i < completions.size(); i++) {
            sql.append(
                    i == 0
                            ? "SELECT ? AS ns, ? AS k, ? AS token, ? AS status, ? AS body, ? AS keep_us"
                            : " UNION ALL SELECT ?, ?, ?, ?, ?, ?");
        }
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
        Set<Written> written = new HashSet<>();
        String readBack = "SELECT namespace, idem_key, token FROM " + table.qualified() + " WHERE (" + keysIn(keys)
                + ") AND last_writer = ?";
        try (PreparedStatement ps = prepare(connection, readBack)) {
            int p = bindKeys(ps, 1, keys);
            ps.setBytes(p, writer);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    written.add(new Written(new DedupKey(text(rs, 1), text(rs, 2)), rs.getLong(3)));
                }
            }
        }
        return written;
    }

    @Override
    boolean complete(Connection connection, Completion completion) throws SQLException {
        try (PreparedStatement ps = prepare(connection, completeSql)) {
            ps.setString(1, completion.status().name());
            ps.setBytes(2, completion.body());
            ps.setLong(3, Micros.of(completion.retention()));
            ps.setBytes(4, newWriter());
            bindKey(ps, 5, completion.key(), completion.token());
            return ps.executeUpdate() == 1;
        }
    }

    @Override
    boolean renew(Connection connection, DedupKey key, long token, Duration lease) throws SQLException {
        try (PreparedStatement ps = prepare(connection, renewSql)) {
            long micros = Micros.of(lease);
            ps.setLong(1, micros);
            ps.setLong(2, micros);
            ps.setBytes(3, newWriter());
            bindKey(ps, 4, key, token);
            return ps.executeUpdate() == 1;
        }
    }

    @Override
    boolean release(Connection connection, DedupKey key, long token, Duration retention) throws SQLException {
        try (PreparedStatement ps = prepare(connection, releaseSql)) {
            ps.setLong(1, Micros.of(retention));
            ps.setBytes(2, newWriter());
            bindKey(ps, 3, key, token);
            return ps.executeUpdate() == 1;
        }
    }

    @Override
    Optional<KeyRow> find(Connection connection, DedupKey key) throws SQLException {
        try (PreparedStatement ps = prepare(connection, findSql)) {
            ps.setBytes(1, StoredText.utf8(key.namespace()));
            ps.setBytes(2, StoredText.utf8(key.id()));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    @Override
    int purge(Connection connection, int max) throws SQLException {
        try (PreparedStatement ps = prepare(connection, purgeSql)) {
            ps.setInt(1, max);
            return ps.executeUpdate();
        }
    }

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

    @Override
    Map<Integer, Long> positions(Connection connection, String namespace, String stream) throws SQLException {
        Map<Integer, Long> positions = new HashMap<>();
        try (PreparedStatement ps = prepare(
                connection,
                "SELECT partition_no, next_position FROM " + table.positions()
                        + " WHERE namespace = ? AND stream = ?")) {
            ps.setBytes(1, StoredText.utf8(namespace));
            ps.setBytes(2, StoredText.utf8(stream));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    positions.put(rs.getInt(1), rs.getLong(2));
                }
            }
        }
        return positions;
    }

    @Override
    String text(ResultSet rs, int column) throws SQLException {
        return StoredText.utf8(rs.getBytes(column));
    }

    @Override
    Instant instant(ResultSet rs, int column) throws SQLException {
        LocalDateTime value = rs.getObject(column, LocalDateTime.class);
        return value == null ? null : value.toInstant(ZoneOffset.UTC);
    }

    // ---------------------------------------------------------------- helpers

    /** A fresh statement id: random, so no two statements ever stamp rows alike. */
    private static byte[] newWriter() {
        UUID id = UUID.randomUUID();
        return ByteBuffer.allocate(16)
                .putLong(id.getMostSignificantBits())
                .putLong(id.getLeastSignificantBits())
                .array();
    }

    /** {@code (namespace = ? AND idem_key IN (?, ...)) OR ...}, one group per namespace, for {@link #bindKeys}. */
    private static String keysIn(List<DedupKey> keys) {
        Map<String, Integer> counts = byNamespace(keys);
        StringBuilder sql = new StringBuilder();
        for (int count : counts.values()) {
            sql.append(sql.length() == 0 ? "" : " OR ").append("(namespace = ? AND idem_key IN (");
            for (int i = 0; i < count; i++) {
                sql.append(i == 0 ? "?" : ", ?");
            }
            sql.append("))");
        }
        return sql.toString();
    }

    /** Binds the parameters of {@link #keysIn}; answers the next parameter index. */
    private static int bindKeys(PreparedStatement ps, int first, List<DedupKey> keys) throws SQLException {
        Map<String, List<String>> grouped = new LinkedHashMap<>();
        for (DedupKey key : keys) {
            grouped.computeIfAbsent(key.namespace(), n -> new ArrayList<>()).add(key.id());
        }
        int p = first;
        for (Map.Entry<String, List<String>> group : grouped.entrySet()) {
            ps.setBytes(p++, StoredText.utf8(group.getKey()));
            for (String id : group.getValue()) {
                ps.setBytes(p++, StoredText.utf8(id));
            }
        }
        return p;
    }

    private static Map<String, Integer> byNamespace(List<DedupKey> keys) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (DedupKey key : keys) {
            counts.merge(key.namespace(), 1, Integer::sum);
        }
        return counts;
    }

    private static void bindKey(PreparedStatement ps, int first, DedupKey key, long token) throws SQLException {
        ps.setBytes(first, StoredText.utf8(key.namespace()));
        ps.setBytes(first + 1, StoredText.utf8(key.id()));
        ps.setLong(first + 2, token);
    }
}
