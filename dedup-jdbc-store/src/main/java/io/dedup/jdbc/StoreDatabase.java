package io.dedup.jdbc;

import io.dedup.DedupKey;
import io.dedup.DedupStoreUnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * What a {@link JdbcDedupStore} and its transactions share: the data source, the dialect's statements, and how a
 * failed statement is reported. Runs single statements on pooled connections ({@link #run}); hands out the batch
 * algorithms for a connection ({@link #claims}, {@link #completions}). Thread-safe.
 */
final class StoreDatabase {
    /** Work on a connection; {@code inTransaction} when the connection is not in autocommit. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection connection, boolean inTransaction) throws SQLException;
    }

    /** The application's (or the provider's) pool; the store borrows a connection per operation. */
    final DataSource dataSource;
    /** The statements of the store's dialect and table. */
    final SqlDialect sql;
    /** For logs and errors: dialect and table, never the URL (it may carry credentials). */
    final String description;

    /** Closed with the store, in order: a scheduled purge first, then what the provider created (a pool). */
    private final List<AutoCloseable> owned;

    private volatile boolean closed;

    StoreDatabase(DataSource dataSource, SqlDialect sql, List<AutoCloseable> owned) {
        this.dataSource = dataSource;
        this.sql = sql;
        this.description = "jdbc store (" + sql.kind() + ", table " + sql.table + ")";
        this.owned = new ArrayList<>(owned);
    }

    /** Closes {@code resource} with the store, before what was given at construction. Called before first use. */
    void closeFirst(AutoCloseable resource) {
        owned.add(0, resource);
    }

    /**
     * {@code key} as it is stored (see {@link StoredText}), or null when the dialect cannot store it: then no row
     * can exist for it, so a write for it is fenced and a read finds nothing.
     */
    DedupKey storable(DedupKey key) {
        DedupKey stored = StoredText.key(key);
        return sql.unstorable(stored) == null ? stored : null;
    }

    /**
     * Runs {@code work} on a pooled connection. A pool may hand out connections with autocommit off (a
     * configuration some applications choose); such a connection is committed here, or rolled back on failure, so
     * that it never goes back to the pool with the store's statements pending.
     *
     * @throws DedupStoreUnavailableException if the store is closed, or no connection can be had, or a statement
     *     failed
     */
    <T> T run(String operation, SqlWork<T> work) {
        checkOpen();
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            try {
                T result = work.run(connection, !autoCommit);
                if (!autoCommit) {
                    connection.commit();
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                if (!autoCommit) {
                    ConnectionCleanup.quietly(connection::rollback, e);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw failure(operation, e);
        }
    }

    /**
     * A transaction on a connection of the store's data source, with the dialect's isolation level.
     *
     * @throws DedupStoreUnavailableException if the store is closed or no connection can be had
     */
    JdbcStoreTransaction beginTransaction() {
        checkOpen();
        Connection connection;
        try {
            connection = dataSource.getConnection();
        } catch (SQLException e) {
            throw failure("begin a transaction", e);
        }
        try {
            // Remembered so that close() gives the connection back to the pool the way it came.
            boolean autoCommit = connection.getAutoCommit();
            if (autoCommit) {
                connection.setAutoCommit(false);
            }
            sql.beginTransaction(connection);
            return new JdbcStoreTransaction(this, connection, true, autoCommit, null);
        } catch (SQLException | RuntimeException e) {
            ConnectionCleanup.quietly(connection::close, e);
            throw e instanceof SQLException sql ? failure("begin a transaction", sql) : (RuntimeException) e;
        }
    }

    /**
     * A transaction inside the caller's, on {@code connection}, from a savepoint set now.
     *
     * @throws IllegalArgumentException if the connection is in autocommit mode
     * @throws DedupStoreUnavailableException if the store is closed or the savepoint cannot be set
     */
    JdbcStoreTransaction joinTransaction(Connection connection) {
        checkOpen();
        try {
            if (connection.getAutoCommit()) {
                throw new IllegalArgumentException("begin(Connection) joins the caller's transaction, but the "
                        + "connection is in autocommit mode; turn autocommit off or use begin()");
            }
            return new JdbcStoreTransaction(this, connection, false, false, connection.setSavepoint());
        } catch (SQLException e) {
            throw failure("join the caller's transaction", e);
        }
    }

    /** The claim algorithm on {@code connection}; its partial failures name the store and "claim". */
    ClaimBatch claims(Connection connection, boolean inTransaction) {
        return new ClaimBatch(new StatementBatch.On(sql, connection, inTransaction, e -> failure("claim", e)));
    }

    /** The completion algorithm on {@code connection}; its partial failures name the store and "complete". */
    CompletionBatch completions(Connection connection, boolean inTransaction) {
        return new CompletionBatch(new StatementBatch.On(sql, connection, inTransaction, e -> failure("complete", e)));
    }

    /** {@code e} as the exception callers of the store expect, naming the store and the operation. */
    DedupStoreUnavailableException failure(String operation, SQLException e) {
        return SqlFailures.unavailable(description, operation, e);
    }

    /** @throws DedupStoreUnavailableException if the store was closed */
    void checkOpen() {
        if (closed) {
            throw new DedupStoreUnavailableException(description + " is closed");
        }
    }

    /**
     * Marks the store closed and closes what it owns, once. A resource that fails to close is logged; the others
     * are still closed.
     */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (AutoCloseable resource : owned) {
            try {
                resource.close();
            } catch (Exception e) {
                LoggerFactory.getLogger(JdbcDedupStore.class)
                        .warn("could not close a resource of {}: {}", description, e.toString());
            }
        }
    }
}
