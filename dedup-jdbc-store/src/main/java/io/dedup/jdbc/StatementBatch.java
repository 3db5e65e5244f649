package io.dedup.jdbc;

import io.dedup.DedupStoreUnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Function;

/**
 * What the claim and completion batches share: a dialect and a connection to run chunk statements on, whether that
 * connection runs a transaction, and how a chunk statement is retried. Not thread-safe: one batch, one caller.
 */
abstract class StatementBatch {
    /** The most keys in one statement, so that a statement's parameters and locks stay bounded. */
    static final int CHUNK = 1000;
    /** Runs of one chunk statement the database rolled back to break a deadlock, before giving up. */
    private static final int DEADLOCK_TRIES = 3;

    /**
     * Where a batch runs.
     *
     * @param inTransaction whether the connection runs a transaction (not autocommit): then nothing is retried
     *     after an error, and any error fails the whole batch
     * @param failure turns a failed statement into the store's exception
     */
    record On(
            SqlDialect dialect,
            Connection connection,
            boolean inTransaction,
            Function<SQLException, DedupStoreUnavailableException> failure) {}

    // Read by the subclasses' algorithms; set once, from the On record.
    final SqlDialect dialect;
    final Connection connection;
    final boolean inTransaction;
    private final Function<SQLException, DedupStoreUnavailableException> failure;

    StatementBatch(On on) {
        this.dialect = on.dialect();
        this.connection = on.connection();
        this.inTransaction = on.inTransaction();
        this.failure = on.failure();
    }

    /** One chunk statement. */
    @FunctionalInterface
    interface ChunkStatement<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code statement}, again after a deadlock or serialization failure in autocommit mode (the database
     * rolled back that statement whole, so running it again is safe). Inside a transaction the rollback took the
     * transaction's earlier statements with it, so there it fails at once.
     */
    final <T> T retried(ChunkStatement<T> statement) throws SQLException {
        for (int tryNo = 1; ; tryNo++) {
            try {
                return statement.run();
            } catch (SQLException e) {
                if (inTransaction || tryNo >= DEADLOCK_TRIES || !SqlFailures.retryable(e)) {
                    throw e;
                }
            }
        }
    }

    /** {@code e} as the cause of the answers of the keys a failed statement left open. */
    final DedupStoreUnavailableException failure(SQLException e) {
        return failure.apply(e);
    }
}
