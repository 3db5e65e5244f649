package io.dedup.jdbc;

import io.dedup.DedupKey;
import java.nio.ByteBuffer;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * How a MariaDB/MySQL batch learns which rows it changed without {@code RETURNING}: the statement stamps every row
 * it changes with a random {@code last_writer} id, and a read-back selects the batch's keys and compares the stamp.
 * A random id, not a counter, so that no two statements of any process ever stamp alike. Stateless.
 */
final class StampedRows {
    private StampedRows() {}

    /** A fresh statement id: 16 random bytes. */
    static byte[] newWriter() {
        // A version 4 UUID's 122 random bits: a collision between two statements is not a practical concern.
        UUID id = UUID.randomUUID();
        return ByteBuffer.allocate(16)
                .putLong(id.getMostSignificantBits())
                .putLong(id.getLeastSignificantBits())
                .array();
    }

    /**
     * {@code (namespace = ? AND idem_key IN (?, ...)) OR ...}, one group per namespace, for {@link #bindKeys}: a
     * batch mostly has one namespace, and this form lets the primary key (namespace, idem_key) find every row.
     */
    static String keysIn(List<DedupKey> keys) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (DedupKey key : keys) {
            counts.merge(key.namespace(), 1, Integer::sum);
        }
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

    /**
     * Binds the parameters of {@link #keysIn}, as UTF-8 bytes (the columns are binary); answers the next parameter
     * index. Groups come in the same first-seen order of namespaces as there.
     */
    static int bindKeys(PreparedStatement ps, int first, List<DedupKey> keys) throws SQLException {
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
}
