package io.dedup.jdbc;

import io.dedup.DedupKey;
import io.dedup.spi.ClaimRequest;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The claim statement of MariaDB and MySQL: one multi-row {@code INSERT ... ON DUPLICATE KEY UPDATE} that acquires
 * every claimable key of a chunk, and the way its answer is read (see {@link #claim}). Thread-safe: the statement
 * texts are fixed at construction; whether the server has {@code RETURNING} is learnt once.
 */
final class MariaDbClaim {
    /** Parameters of one row of the claim upsert ({@code claimRow}). */
    private static final int CLAIM_ROW_PARAMETERS = 6;

    private final MariaDbDialect dialect;
    private final String table;
    private final String insertPrefix;
    private final String claimRow;
    private final String onDuplicate;
    /** Whether the server has {@code INSERT ... RETURNING}: null until the first claim asks. */
    private volatile Boolean returning;

    MariaDbClaim(MariaDbDialect dialect, TableName table) {
        this.dialect = dialect;
        this.table = table.qualified();
        String now = MariaDbDialect.NOW;
        insertPrefix = "INSERT INTO " + this.table + " (namespace, idem_key, state, token, attempts, lease_until,"
                + " expires_at, fingerprint, outcome_status, outcome_body, completed_at, created_at, updated_at,"
                + " last_writer) VALUES ";
        // A new row's token is the database's clock in microseconds, so tokens rise across the row's deletion too.
        claimRow = "(?, ?, 'IN_PROGRESS', " + MariaDbDialect.NOW_MICROS + ", 1, " + now + " + INTERVAL ? MICROSECOND, "
                + now + " + INTERVAL ? MICROSECOND, ?, NULL, NULL, NULL, " + now + ", " + now + ", ?)";
        // Expired (by the database's clock), or released or lapsed with a matching (or no) fingerprint.
        String claimable = "expires_at <= " + now
                + " OR ((VALUES(fingerprint) IS NULL OR fingerprint IS NULL OR fingerprint = VALUES(fingerprint))"
                + " AND (state = 'RELEASED' OR (state = 'IN_PROGRESS' AND lease_until <= " + now + ")))";
        // Assignments run left to right, each seeing the columns assigned before it: last_writer decides on the old
        // row, the others follow its stamp. Under MariaDB's SIMULTANEOUS_ASSIGNMENT mode every assignment sees the
        // old row instead, where the stamp is not yet there but the condition still holds; "stamped or claimable"
        // is right either way, because nothing changes in a row that is not claimable. attempts and created_at
        // read the old expires_at, so they come before it.
        String mine = "(last_writer <=> VALUES(last_writer) OR " + claimable + ")";
        onDuplicate = " ON DUPLICATE KEY UPDATE"
                + " last_writer = IF(" + claimable + ", VALUES(last_writer), last_writer),"
                // GREATEST: a revived row's token exceeds both its last token and the clock, so tokens never repeat.
                + " token = IF(" + mine + ", GREATEST(token + 1, VALUES(token)), token),"
                + " attempts = IF(" + mine + ", IF(expires_at <= " + now + ", 1, attempts + 1), attempts),"
                + " created_at = IF(" + mine + " AND expires_at <= " + now + ", VALUES(created_at), created_at),"
                + " state = IF(" + mine + ", 'IN_PROGRESS', state),"
                + " lease_until = IF(" + mine + ", VALUES(lease_until), lease_until),"
                + " expires_at = IF(" + mine + ", VALUES(expires_at), expires_at),"
                + " fingerprint = IF(" + mine + ", VALUES(fingerprint), fingerprint),"
                + " outcome_status = IF(" + mine + ", NULL, outcome_status),"
                + " outcome_body = IF(" + mine + ", NULL, outcome_body),"
                + " completed_at = IF(" + mine + ", NULL, completed_at),"
                + " updated_at = IF(" + mine + ", VALUES(updated_at), updated_at)";
    }

    /**
     * One multi-row upsert whose answer comes from the same statement and row locks as its write. On MariaDB (10.5+)
     * that is {@code INSERT ... RETURNING}, which answers every row as the statement left it. MySQL has no {@code
     * RETURNING}: there the upsert and a locking read-back ({@code SELECT ... FOR UPDATE}) share one transaction,
     * so the upsert's row locks keep every other claim out until the answer is read. A read-back after the upsert
     * committed would not do: once the lease it took lapsed, another claim could take the row over first, and the
     * read-back would answer "in progress" for a key this statement had acquired (an acquisition nobody learns of).
     *
     * @param locking whether the connection already runs a transaction (the caller's, which this joins)
     */
    Map<DedupKey, KeyRow> claim(Connection connection, List<ClaimRequest> requests, boolean locking)
            throws SQLException {
        byte[] writer = StampedRows.newWriter();
        StringBuilder upsert = new StringBuilder(insertPrefix);
        for (int i = 0; i < requests.size(); i++) {
            upsert.append(i == 0 ? "" : ", ").append(claimRow);
        }
        upsert.append(onDuplicate);
        if (returning(connection)) {
            // The acquired flag compares each row's stamp with this statement's: stamped rows are the acquired ones.
            upsert.append(" RETURNING ").append(MariaDbDialect.ROW_ANSWER);
            try (PreparedStatement ps = dialect.prepare(connection, upsert.toString())) {
                bindUpsert(ps, requests, writer);
                ps.setBytes(requests.size() * CLAIM_ROW_PARAMETERS + 1, writer);
                try (ResultSet rs = ps.executeQuery()) {
                    return dialect.rows(rs, requests.size());
                }
            }
        }
        // Already in a transaction (the caller's): its locks last until the caller commits, so no transaction of ours.
        if (locking) {
            return upsertAndReadBack(connection, upsert.toString(), requests, writer);
        }
        connection.setAutoCommit(false);
        try {
            dialect.beginTransaction(connection);
            Map<DedupKey, KeyRow> rows = upsertAndReadBack(connection, upsert.toString(), requests, writer);
            connection.commit();
            return rows;
        } catch (SQLException | RuntimeException e) {
            ConnectionCleanup.quietly(connection::rollback, e);
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    /** The upsert, then its rows read with {@code FOR UPDATE}; inside a transaction, whose locks keep them as written. */
    private Map<DedupKey, KeyRow> upsertAndReadBack(
            Connection connection, String upsert, List<ClaimRequest> requests, byte[] writer) throws SQLException {
        try (PreparedStatement ps = dialect.prepare(connection, upsert)) {
            bindUpsert(ps, requests, writer);
            ps.executeUpdate();
        }
        List<DedupKey> keys = new ArrayList<>(requests.size());
        for (ClaimRequest request : requests) {
            keys.add(request.key());
        }
        String readBack = "SELECT " + MariaDbDialect.ROW_ANSWER + " FROM " + table + " WHERE "
                + StampedRows.keysIn(keys) + " FOR UPDATE";
        try (PreparedStatement ps = dialect.prepare(connection, readBack)) {
            ps.setBytes(1, writer);
            StampedRows.bindKeys(ps, 2, keys);
            try (ResultSet rs = ps.executeQuery()) {
                return dialect.rows(rs, requests.size());
            }
        }
    }

    /**
     * Binds {@link #CLAIM_ROW_PARAMETERS} per request; the expiry is lease plus retention from now. Every row
     * carries the statement's stamp: an inserted row keeps it, an existing one gets it only if the update takes it.
     */
    private static void bindUpsert(PreparedStatement ps, List<ClaimRequest> requests, byte[] writer)
            throws SQLException {
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

    /**
     * Whether the server is MariaDB 10.5 or newer, which has {@code INSERT ... RETURNING}; asked once, from the
     * metadata the driver keeps from its handshake. A race between two first claims asks twice, harmlessly.
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
}
