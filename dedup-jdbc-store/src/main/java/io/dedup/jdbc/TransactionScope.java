package io.dedup.jdbc;

import io.dedup.DedupStoreUnavailableException;
import io.dedup.spi.StoreTransaction;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where {@link TransactionalDedup} runs a unit of work: in a transaction of the store's own, or in one the
 * application's {@link TransactionRunner} manages. The work commits or rolls back the store transaction itself
 * (through core's claimed batch) and says which it did, so that an application's transaction follows it.
 * Thread-safe: each run uses its own transaction.
 */
final class TransactionScope {
    /** Whether the unit of work committed the store transaction, and its answer. */
    record Decision<T>(T value, boolean commit) {
        static <T> Decision<T> commit(T value) {
            return new Decision<>(value, true);
        }

        static <T> Decision<T> rollback(T value) {
            return new Decision<>(value, false);
        }
    }

    /** The unit of work: runs on the transaction and decides whether it commits. */
    @FunctionalInterface
    interface Body<T> {
        Decision<T> run(StoreTransaction transaction);
    }

    /** Thrown through the application's runner to make it roll back. */
    private static final class RollbackRequested extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RollbackRequested() {
            super("dedup asked the transaction to roll back: the handler failed", null, false, false);
        }
    }

    private final JdbcDedupStore store;
    private final TransactionRunner runner;

    TransactionScope(JdbcDedupStore store, TransactionRunner runner) {
        this.store = store;
        this.runner = runner;
    }

    /**
     * Runs {@code body} in one transaction; an application's transaction commits when the body committed its part and
     * rolls back otherwise. An {@link Error} passes through unchanged, the transaction rolled back.
     *
     * @throws DedupStoreUnavailableException if the transaction could not begin, a statement failed, or the commit
     *     failed (then whether it took effect is unknown)
     */
    <T> T run(Body<T> body) {
        if (runner == null) {
            try (StoreTransaction transaction = store.begin()) { // closing it rolls back what was not committed
                return body.run(transaction).value();
            }
        }
        AtomicReference<Decision<T>> decided = new AtomicReference<>();
        try {
            runner.inTransaction(connection -> {
                Objects.requireNonNull(connection, "the TransactionRunner gave no connection");
                try (StoreTransaction transaction = store.begin(connection)) {
                    decided.set(body.run(transaction));
                    if (!decided.get().commit()) {
                        throw new RollbackRequested();
                    }
                }
            });
        } catch (DedupStoreUnavailableException e) {
            throw e;
        } catch (Exception e) {
            // After a decided rollback, RollbackRequested (or the runner's wrapping of it) is the expected way out.
            // Otherwise the application's transaction failed: before the work ran, or in its commit.
            if (decided.get() != null && !decided.get().commit()) {
                return decided.get().value();
            }
            throw new DedupStoreUnavailableException(
                    "the application's transaction failed"
                            + (decided.get() == null ? "" : " to commit; whether it took effect is unknown")
                            + ": " + e,
                    e);
        }
        // A runner that returns without calling the work would otherwise look like a successful empty transaction.
        if (decided.get() == null) {
            throw new IllegalStateException("the TransactionRunner returned without running the work");
        }
        return decided.get().value();
    }
}
