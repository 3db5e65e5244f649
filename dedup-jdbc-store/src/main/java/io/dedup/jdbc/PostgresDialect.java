package io.dedup.jdbc;

import io.dedup.DedupKey;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.Completion;
import io.dedup.spi.Position;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PostgreSQL: batches travel as arrays and are spread with {@code unnest}; {@code statement_timestamp()} is the
 * clock (fresh for each statement, also inside a transaction).
 */
final class PostgresDialect extends SqlDialect {
    private static final String NOW = "statement_timestamp()";
    private static final String US = " * interval '1 microsecond'";

    /** The row is held: in progress and not expired, by the database's clock. */
    private static final String HELD = "t.state = 'IN_PROGRESS' AND t.expires_at > " + NOW;
    /**
     * Sets a row completed; {@code r} supplies status, body and retention ({@code keep_us}). A completion within the
     * lease leaves {@code purge_after} as it was (see {@link #purgeAfter}), so it changes no indexed column.
     */
    private static final String COMPLETED = "state = 'COMPLETED', outcome_status = r.status, outcome_body = r.body,"
            + " completed_at = " + NOW + ", lease_until = NULL, expires_at = " + NOW + " + r.keep_us" + US
            + ", " + purgeAfter(NOW + " + r.keep_us" + US) + ", updated_at = " + NOW;

    private final String claimSql;
    private final String completeAllSql;
    private final String savePositionsSql;

    PostgresDialect(TableName table, int timeoutSeconds) {
        super(table, timeoutSeconds, NOW, keyStatements(table.qualified()));
        String t = table.qualified();
        String claimable = "t.expires_at <= " + NOW
                + " OR ((EXCLUDED.fingerprint IS NULL OR t.fingerprint IS NULL OR t.fingerprint = EXCLUDED.fingerprint)"
                + " AND (t.state = 'RELEASED' OR (t.state = 'IN_PROGRESS' AND t.lease_until <= " + NOW + ")))";
        // One statement claims the whole batch: the INSERT acquires what is claimable (ON CONFLICT ... WHERE) and
        // RETURNs it; the SELECT answers the rows it left alone. That SELECT reads the statement's snapshot, so it
        // misses rows inserted concurrently after the statement began: those keys come back absent and are claimed
        // again. Rows are inserted in key order so that concurrent batches lock in the same order.
        claimSql = "WITH req AS (SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::text[])"
                + " WITH ORDINALITY AS r(ns, k, lease_us, keep_us, fp, ord)),"
                + " ins AS (INSERT INTO " + t + " AS t (namespace, idem_key, state, token, attempts, lease_until,"
                + " expires_at, fingerprint, created_at, updated_at, purge_after)"
                + " SELECT r.ns, r.k, 'IN_PROGRESS', (extract(epoch FROM " + NOW + ") * 1000000)::bigint, 1,"
                + " " + NOW + " + r.lease_us" + US + ", " + NOW + " + r.keep_us" + US + ", r.fp, " + NOW + ", " + NOW
                + ", " + NOW + " + r.keep_us" + US
                + " FROM req r ORDER BY r.ord"
                + " ON CONFLICT (namespace, idem_key) DO UPDATE SET state = 'IN_PROGRESS',"
                + " token = GREATEST(t.token + 1, EXCLUDED.token),"
                + " attempts = CASE WHEN t.expires_at <= " + NOW + " THEN 1 ELSE t.attempts + 1 END,"
                + " lease_until = EXCLUDED.lease_until, expires_at = EXCLUDED.expires_at,"
                + " " + purgeAfter("EXCLUDED.expires_at") + ","
                + " fingerprint = EXCLUDED.fingerprint, outcome_status = NULL, outcome_body = NULL,"
                + " completed_at = NULL,"
                + " created_at = CASE WHEN t.expires_at <= " + NOW + " THEN " + NOW + " ELSE t.created_at END,"
                + " updated_at = " + NOW
                + " WHERE " + claimable
                + " RETURNING t.namespace, t.idem_key, t.token, t.attempts, t.lease_until)"
                + " SELECT i.namespace, i.idem_key, 'IN_PROGRESS', i.token, i.attempts, i.lease_until,"
                + " NULL::timestamptz, NULL, NULL, NULL::bytea, NULL::timestamptz, TRUE, " + NOW + " FROM ins i"
                + " UNION ALL"
                + " SELECT t.namespace, t.idem_key, t.state, t.token, t.attempts, t.lease_until, t.expires_at,"
                + " t.fingerprint, t.outcome_status, t.outcome_body, t.completed_at, FALSE, " + NOW
                + " FROM " + t + " t JOIN req r ON t.namespace = r.ns AND t.idem_key = r.k"
                + " WHERE NOT EXISTS (SELECT 1 FROM ins i WHERE i.namespace = r.ns AND i.idem_key = r.k)";
        // Fencing: only the holder's token matches, and only while the row is held; the RETURNING list tells the
        // batch which of its completions took effect.
        completeAllSql = "UPDATE " + t + " t SET " + COMPLETED
                + " FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::bytea[], ?::bigint[])"
                + " AS r(ns, k, token, status, body, keep_us)"
                + " WHERE t.namespace = r.ns AND t.idem_key = r.k AND t.token = r.token AND " + HELD
                + " RETURNING t.namespace, t.idem_key, t.token";
        savePositionsSql = "INSERT INTO " + table.positions()
                + " (namespace, stream, partition_no, next_position, updated_at)"
                + " SELECT ?, r.s, r.p, r.n, " + NOW
                + " FROM unnest(?::text[], ?::integer[], ?::bigint[]) AS r(s, p, n)"
                + " ON CONFLICT (namespace, stream, partition_no) DO UPDATE"
                + " SET next_position = EXCLUDED.next_position, updated_at = EXCLUDED.updated_at";
    }

    private static KeyStatements keyStatements(String t) {
        String byToken = " WHERE t.namespace = ? AND t.idem_key = ? AND t.token = ? AND " + HELD;
        // The row keeps the time it outlives its lease (expires_at - lease_until, read before the update).
        String renewedExpiry = NOW + " + r.expiry_lease_us" + US + " + (t.expires_at - t.lease_until)";
        return new KeyStatements(
                // The values come as a one-row derived table so that COMPLETED reads them as in completeAllSql.
                "UPDATE " + t + " t SET " + COMPLETED
                        + " FROM (SELECT ?::text AS status, ?::bytea AS body, ?::bigint AS keep_us) r" + byToken,
                // The values come as a derived table, since the new expiry is written twice.
                "UPDATE " + t + " t SET lease_until = " + NOW + " + r.lease_us" + US
                        + ", expires_at = " + renewedExpiry + ", " + purgeAfter(renewedExpiry)
                        + ", updated_at = " + NOW
                        + " FROM (SELECT ?::bigint AS lease_us, ?::bigint AS expiry_lease_us) r" + byToken,
                // The token stays in the released row, so the next claim's token is higher (GREATEST in claimSql).
                // A release is rare (a failure): it sets purge_after to its expiry exactly, so the row goes soon.
                "UPDATE " + t + " t SET state = 'RELEASED', lease_until = NULL, expires_at = " + NOW + " + r.keep_us"
                        + US + ", purge_after = " + NOW + " + r.keep_us" + US + ", updated_at = " + NOW
                        + " FROM (SELECT ?::bigint AS keep_us) r" + byToken,
                // SKIP LOCKED: a purge never waits for, nor blocks, a claim that is reviving an expired row.
                "DELETE FROM " + t + " t USING (SELECT x.namespace, x.idem_key FROM " + t + " x"
                        + " WHERE x.purge_after <= " + NOW + " LIMIT ? FOR UPDATE SKIP LOCKED) d"
                        + " WHERE t.namespace = d.namespace AND t.idem_key = d.idem_key AND t.expires_at <= " + NOW);
    }

    /**
     * Moves {@code purge_after} to {@code expiry} when that is later, else leaves it, so that it is never earlier than
     * {@code expires_at}. The purge finds rows by {@code purge_after}: a row is deleted no earlier than it expires, and
     * a completed one at most one lease later (its claim set {@code purge_after} to the claim time plus lease plus
     * retention, and a completion within the lease expires before that).
     */
    private static String purgeAfter(String expiry) {
        return "purge_after = GREATEST(t.purge_after, " + expiry + ")";
    }

    @Override
    JdbcDialect kind() {
        return JdbcDialect.POSTGRESQL;
    }

    @Override
    String schemaResource() {
        return "schema/postgresql.sql";
    }

    /** PostgreSQL's text type refuses NUL, which Java strings (and so keys) may hold. */
    @Override
    String unstorable(DedupKey key) {
        return key.id().indexOf('\0') >= 0 || key.namespace().indexOf('\0') >= 0
                ? "PostgreSQL text cannot hold U+0000; store such keys as digests (DedupKey.digestOf)"
                : null;
    }

    /**
     * One statement for the whole chunk (see {@code claimSql}). {@code locking} changes nothing here: PostgreSQL's
     * {@code INSERT ... ON CONFLICT DO UPDATE} locks the rows it writes and {@code statement_timestamp()} is fresh
     * for each statement, inside a transaction or not.
     */
    @Override
    Map<DedupKey, KeyRow> claim(Connection connection, List<ClaimRequest> requests, boolean locking)
            throws SQLException {
        int n = requests.size();
        String[] namespaces = new String[n];
        String[] ids = new String[n];
        Long[] leases = new Long[n];
        Long[] keeps = new Long[n];
        String[] fingerprints = new String[n];
        for (int i = 0; i < n; i++) {
            ClaimRequest request = requests.get(i);
            namespaces[i] = request.key().namespace();
            ids[i] = request.key().id();
            long lease = Micros.of(request.lease());
            leases[i] = lease;
            // A record lives its lease, then its retention: the expiry covers both from the claim on.
            keeps[i] = lease + Micros.of(request.retention());
            fingerprints[i] = request.fingerprint().orElse(null);
        }
        try (PreparedStatement ps = prepare(connection, claimSql)) {
            setArrays(connection, ps, 1, "text text bigint bigint text", namespaces, ids, leases, keeps, fingerprints);
            try (ResultSet rs = ps.executeQuery()) {
                return rows(rs, n);
            }
        }
    }

    /** Plans every execution afresh: a cached generic plan made on the new, empty table scans it (GenericPlans). */
    @Override
    void configure(PreparedStatement statement) throws SQLException {
        GenericPlans.avoid(statement);
    }

    /** One {@code UPDATE ... FROM unnest(...) RETURNING} for the chunk: its answer is the rows it completed. */
    @Override
    Set<Written> completeAll(Connection connection, List<Completion> completions) throws SQLException {
        int n = completions.size();
        String[] namespaces = new String[n];
        String[] ids = new String[n];
        Long[] tokens = new Long[n];
        String[] statuses = new String[n];
        byte[][] bodies = new byte[n][];
        Long[] keeps = new Long[n];
        for (int i = 0; i < n; i++) {
            Completion completion = completions.get(i);
            namespaces[i] = completion.key().namespace();
            ids[i] = completion.key().id();
            tokens[i] = completion.token();
            statuses[i] = completion.status().name();
            bodies[i] = completion.body();
            keeps[i] = Micros.of(completion.retention());
        }
        try (PreparedStatement ps = prepare(connection, completeAllSql)) {
            setArrays(
                    connection,
                    ps,
                    1,
                    "text text bigint text bytea bigint",
                    namespaces,
                    ids,
                    tokens,
                    statuses,
                    bodies,
                    keeps);
            try (ResultSet rs = ps.executeQuery()) {
                return written(rs, n);
            }
        }
    }

    /** One {@code INSERT ... SELECT FROM unnest(...) ON CONFLICT DO UPDATE}: saved positions are overwritten. */
    @Override
    void savePositions(Connection connection, String namespace, List<Position> positions) throws SQLException {
        int n = positions.size();
        String[] streams = new String[n];
        Integer[] partitions = new Integer[n];
        Long[] next = new Long[n];
        for (int i = 0; i < n; i++) {
            streams[i] = positions.get(i).stream();
            partitions[i] = positions.get(i).partition();
            next[i] = positions.get(i).next();
        }
        try (PreparedStatement ps = prepare(connection, savePositionsSql)) {
            ps.setString(1, namespace);
            setArrays(connection, ps, 2, "text integer bigint", streams, partitions, next);
            ps.executeUpdate();
        }
    }

    /**
     * Binds {@code columns} as SQL arrays, from parameter {@code first} on, each of the element type named at its
     * place in {@code types} (space-separated). A batch travels as one array per column, so the statement text and
     * its plan are the same for every batch size.
     */
    private static void setArrays(
            Connection connection, PreparedStatement ps, int first, String types, Object[]... columns)
            throws SQLException {
        String[] type = types.split(" ");
        for (int c = 0; c < columns.length; c++) {
            ps.setArray(first + c, connection.createArrayOf(type[c], columns[c]));
        }
    }

    @Override
    void setText(PreparedStatement ps, int index, String value) throws SQLException {
        ps.setString(index, value);
    }

    @Override
    String text(ResultSet rs, int column) throws SQLException {
        return rs.getString(column);
    }

    /** The columns are {@code timestamptz}: an instant, whatever the session's time zone. */
    @Override
    Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
