package io.dedup.bench.e2e;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The handler every arm runs behind its dedup layer: counts each run and the distinct keys run, and for the
 * PostgreSQL workloads inserts one row per run (autocommit, on its own uncounted connection). Thread-safe: runs
 * are serialized, as one consumer thread would run them.
 */
public final class BenchHandler implements AutoCloseable {
    /** How often the handler ran, duplicates handled again included: the correctness check's first figure. */
    private final AtomicLong runs = new AtomicLong();
    /** The distinct keys handled: with {@link #runs}, shows whether a key ran twice. */
    private final Set<String> keys;
    /**
     * The PostgreSQL handler's own connection, in autocommit: every run is one commit, as a simple handler's would be.
     */
    private final Connection connection;

    /** The PostgreSQL handler's insert, prepared once; null for the no-op handler. */
    private final PreparedStatement insert;

    /**
     * A handler expecting about {@code expectedKeys} distinct keys (to size its key set), inserting through {@code insert}
     * when it is not null.
     */
    private BenchHandler(int expectedKeys, Connection connection, PreparedStatement insert) {
        // sized for every key up front: growing a set of 200,000 keys while the clock runs would be charged to
        // the handler, a cost of the harness rather than of any arm
        this.keys = ConcurrentHashMap.newKeySet(Math.max(16, expectedKeys));
        this.connection = connection;
        this.insert = insert;
    }

    /** A handler that only counts, for about {@code expectedKeys} distinct keys. */
    static BenchHandler noop(int expectedKeys) {
        return new BenchHandler(expectedKeys, null, null);
    }

    /**
     * A handler that inserts one row per run into {@code table} (columns {@code k}, {@code payload}), for about
     * {@code expectedKeys} distinct keys.
     */
    static BenchHandler insertingInto(BenchServices services, String table, int expectedKeys) throws SQLException {
        Connection connection = services.handlerDataSource().getConnection();
        try {
            connection.setAutoCommit(true);
            PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO " + BenchServices.identifier(table) + " (k, payload) VALUES (?, ?)");
            return new BenchHandler(expectedKeys, connection, insert);
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * Runs the handler for one record.
     *
     * @throws IllegalStateException if the row cannot be inserted
     */
    public void handle(String key, String payload) {
        Objects.requireNonNull(key, "key");
        runs.incrementAndGet();
        keys.add(key);
        if (insert != null) {
            synchronized (this) {
                try {
                    insert.setString(1, key);
                    insert.setString(2, payload);
                    insert.executeUpdate();
                } catch (SQLException e) {
                    throw new IllegalStateException("handler insert failed for key " + key, e);
                }
            }
        }
    }

    /** How many times the handler ran. */
    public long runs() {
        return runs.get();
    }

    /** How many distinct keys it ran for. */
    public long distinctKeys() {
        return keys.size();
    }

    /**
     * Closes the handler's statement and connection, if it has them.
     *
     * @throws SQLException if the connection cannot be closed
     */
    @Override
    public void close() throws SQLException {
        if (connection != null) {
            try (connection) {
                insert.close();
            }
        }
    }
}
