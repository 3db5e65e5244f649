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
 * PostgreSQL workloads inserts one row per run (autocommit, on its own uncounted connection). An arm whose handler
 * writes inside the store's transaction ({@code dedup-jdbc-tx}) calls {@link #handleIn} instead, which inserts the
 * same row into the same table through the connection it is given. Thread-safe: runs are serialized, as one
 * consumer thread would run them.
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

    /** The insert's SQL, for {@link #handleIn}'s connections; null for the no-op handler. */
    private final String insertSql;

    /**
     * Inserts {@link #handleIn} made through a connection it was given: that connection is the store's, so the
     * counting DataSource took each for a store round trip, and {@link ArmMeasurer} takes them off again.
     */
    private final AtomicLong insertsOnGivenConnections = new AtomicLong();

    /**
     * A handler expecting about {@code expectedKeys} distinct keys (to size its key set), inserting through {@code insert}
     * when it is not null.
     */
    private BenchHandler(int expectedKeys, Connection connection, PreparedStatement insert, String insertSql) {
        // sized for every key up front: growing a set of 200,000 keys while the clock runs would be charged to
        // the handler, a cost of the harness rather than of any arm
        this.keys = ConcurrentHashMap.newKeySet(Math.max(16, expectedKeys));
        this.connection = connection;
        this.insert = insert;
        this.insertSql = insertSql;
    }

    /** A handler that only counts, for about {@code expectedKeys} distinct keys. */
    static BenchHandler noop(int expectedKeys) {
        return new BenchHandler(expectedKeys, null, null, null);
    }

    /**
     * A handler that inserts one row per run into {@code table} (columns {@code k}, {@code payload}), for about
     * {@code expectedKeys} distinct keys.
     */
    static BenchHandler insertingInto(BenchServices services, String table, int expectedKeys) throws SQLException {
        Connection connection = services.handlerDataSource().getConnection();
        try {
            connection.setAutoCommit(true);
            String sql = "INSERT INTO " + BenchServices.identifier(table) + " (k, payload) VALUES (?, ?)";
            return new BenchHandler(expectedKeys, connection, connection.prepareStatement(sql), sql);
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

    /**
     * Runs the handler for one record inside the caller's transaction: counts the run like {@link #handle} and, for
     * the PostgreSQL workloads, inserts the same row into the same table through {@code transaction}, so that it
     * commits or rolls back with whatever else the caller does on it (the record's key, in the Kafka-to-database
     * mode). The no-op handler only counts and leaves {@code transaction} alone. The statement is prepared per call:
     * the connection changes from one transaction to the next, and PgJDBC caches the prepared statement per
     * connection anyway.
     *
     * @param transaction a connection in a transaction of the caller's; never committed or closed here
     * @throws IllegalStateException if the row cannot be inserted (the caller's transaction must then roll back)
     */
    public void handleIn(Connection transaction, String key, String payload) {
        Objects.requireNonNull(key, "key");
        runs.incrementAndGet();
        keys.add(key);
        if (insertSql == null) {
            return;
        }
        Objects.requireNonNull(transaction, "transaction");
        try (PreparedStatement row = transaction.prepareStatement(insertSql)) {
            row.setString(1, key);
            row.setString(2, payload);
            // counted before it runs, as the counting DataSource counts it: a failed insert was a round trip too
            insertsOnGivenConnections.incrementAndGet();
            row.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("handler insert failed for key " + key, e);
        }
    }

    /**
     * Inserts made by {@link #handleIn}: statements on the store's connection that are the handler's, not the
     * store's.
     */
    long insertsOnGivenConnections() {
        return insertsOnGivenConnections.get();
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
