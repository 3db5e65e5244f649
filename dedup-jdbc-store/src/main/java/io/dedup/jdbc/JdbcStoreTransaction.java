package io.dedup.jdbc;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.Position;
import io.dedup.spi.StoreTransaction;
import io.dedup.spi.WriteResult;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link StoreTransaction} on one connection: either the store's own (commit and rollback are the connection's)
 * or the caller's (a savepoint marks where this transaction began). A statement that fails rolls the transaction
 * back at once (PostgreSQL refuses further statements in a failed transaction anyway) and every later call
 * answers {@link DedupStoreUnavailableException}. Not thread-safe.
 *
 * <p>Claims inside a transaction lock the rows they write until the transaction ends, so a second transaction
 * claiming the same key waits for the first (up to the lock timeout) and then sees its outcome: the row lock, not
 * the lease, keeps concurrent holders apart here. Nothing is retried inside a transaction, because a deadlock
 * rolls back every earlier statement of it too.
 */
final class JdbcStoreTransaction implements StoreTransaction {
    /** OPEN until commit, rollback or a failed statement; FAILED refuses everything but rollback and close. */
    private enum State {
        OPEN,
        COMMITTED,
        ROLLED_BACK,
        FAILED
    }

    private final StoreDatabase db;
    private final Connection connection;
    /** Whether the connection is the store's (commit, roll back and close it) or the caller's (savepoint only). */
    private final boolean own;
    /** Whether the pool handed the connection out in autocommit mode, to give it back that way. */
    private final boolean restoreAutoCommit;
    /** Where a joined transaction began; null for the store's own. */
    private final Savepoint savepoint;
    /** The handler's view of the connection, made on first request. */
    private Connection guarded;

    private State state = State.OPEN;

    /** See {@link StoreDatabase#beginTransaction()} and {@link StoreDatabase#joinTransaction(Connection)}. */
    JdbcStoreTransaction(
            StoreDatabase db, Connection connection, boolean own, boolean restoreAutoCommit, Savepoint savepoint) {
        this.db = db;
        this.connection = connection;
        this.own = own;
        this.restoreAutoCommit = restoreAutoCommit;
        this.savepoint = savepoint;
    }

    /** Claims with {@code locking} reads (see {@link SqlDialect#claim}); any failure fails the whole call. */
    @Override
    public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        return batch("claim", requests, () -> db.claims(connection, true).claimAll(requests));
    }

    @Override
    public List<WriteResult> completeAll(List<Completion> completions) {
        Objects.requireNonNull(completions, "completions");
        return batch(
                "complete", completions, () -> db.completions(connection, true).completeAll(completions));
    }

    /** A batch algorithm's run on the transaction's connection. */
    @FunctionalInterface
    private interface BatchWork<T> {
        List<T> run() throws SQLException;
    }

    /** Runs {@code work} for a non-empty batch; a failure rolls the transaction back (see {@link #fail}). */
    private <T> List<T> batch(String operation, List<?> items, BatchWork<T> work) {
        checkOpen();
        if (items.isEmpty()) {
            return List.of();
        }
        try {
            return work.run();
        } catch (SQLException e) {
            throw fail(operation + " " + items.size() + " keys", e);
        }
    }

    /** One statement per claim: releases are rare (a handler failed), so they are not worth a batch statement. */
    @Override
    public List<WriteResult> releaseAll(List<Claim> claims, Duration retention) {
        Objects.requireNonNull(claims, "claims");
        Objects.requireNonNull(retention, "retention");
        checkOpen();
        List<WriteResult> results = new ArrayList<>(claims.size());
        try {
            for (Claim claim : claims) {
                DedupKey stored = db.storable(claim.key());
                results.add(
                        stored == null
                                ? WriteResult.FENCED
                                : WriteResult.of(db.sql.release(connection, stored, claim.token(), retention)));
            }
        } catch (SQLException e) {
            throw fail("release " + claims.size() + " keys", e);
        }
        return results;
    }

    /** Upserts the positions; of several for one (stream, partition), the last wins. */
    @Override
    public void savePositions(String namespace, List<Position> positions) {
        checkNamespace(namespace);
        Objects.requireNonNull(positions, "positions");
        checkOpen();
        // One upsert cannot touch a row twice (PostgreSQL refuses, MariaDB would apply both in order): keep the last.
        Map<String, Position> last = new LinkedHashMap<>();
        for (Position position : positions) {
            Objects.requireNonNull(position, "positions must not contain null");
            last.put(position.partition() + "/" + position.stream(), position);
        }
        if (last.isEmpty()) {
            return;
        }
        try {
            db.sql.savePositions(connection, namespace, new ArrayList<>(last.values()));
        } catch (SQLException e) {
            throw fail("save " + last.size() + " positions of namespace " + namespace, e);
        }
    }

    /**
     * The saved positions, read on this transaction's connection: what the last committed transaction saved, and
     * what this one saved before it commits.
     */
    @Override
    public Map<Integer, Long> positions(String namespace, String stream) {
        checkNamespace(namespace);
        Objects.requireNonNull(stream, "stream");
        checkOpen();
        try {
            return Map.copyOf(db.sql.positions(connection, namespace, stream));
        } catch (SQLException e) {
            throw fail("read positions of " + stream + " in namespace " + namespace, e);
        }
    }

    /** {@code Connection.class}: the transaction's connection, which refuses commit, rollback and close. */
    @Override
    public <T> Optional<T> resource(Class<T> type) {
        Objects.requireNonNull(type, "type");
        if (!type.isAssignableFrom(Connection.class)) {
            return Optional.empty();
        }
        // One guard per transaction, so that a handler comparing connections sees the same object each time.
        if (guarded == null) {
            guarded = GuardedConnection.of(connection);
        }
        return Optional.of(type.cast(guarded));
    }

    /**
     * @throws DedupStoreUnavailableException if the commit failed; whether it took effect is then unknown (the
     *     connection may have been lost after the database committed)
     */
    @Override
    public void commit() {
        checkOpen();
        try {
            if (own) {
                connection.commit();
            } else {
                connection.releaseSavepoint(savepoint);
            }
            state = State.COMMITTED;
        } catch (SQLException e) {
            throw fail("commit", e);
        }
    }

    /**
     * Undoes this transaction; idempotent, and a no-op after a failure (which rolled back already).
     *
     * @throws IllegalStateException if it was committed
     * @throws DedupStoreUnavailableException if the rollback failed (the database rolls back when it notices)
     */
    @Override
    public void rollback() {
        if (state == State.ROLLED_BACK || state == State.FAILED) {
            return;
        }
        if (state == State.COMMITTED) {
            throw new IllegalStateException("transaction already committed");
        }
        try {
            undo();
            state = State.ROLLED_BACK;
        } catch (SQLException e) {
            state = State.FAILED;
            throw db.failure("roll back", e);
        }
    }

    /**
     * Rolls back what was not committed, then gives the store's own connection back to its pool, in the autocommit
     * mode it came in. Never throws: close runs in finally blocks, where an exception would hide the real one.
     */
    @Override
    public void close() {
        if (state == State.OPEN) {
            try {
                undo();
            } catch (SQLException e) {
                // The connection is broken; the database rolls the transaction back when it notices.
            }
            state = State.ROLLED_BACK;
        }
        if (own) {
            try {
                if (restoreAutoCommit) {
                    connection.setAutoCommit(true);
                }
            } catch (SQLException e) {
                // A pool resets the connection or discards it.
            } finally {
                ConnectionCleanup.quietly(connection::close, null);
            }
        }
    }

    /** Rolls back what this transaction did: the whole transaction if it is the store's, else to the savepoint. */
    private void undo() throws SQLException {
        if (own) {
            connection.rollback();
        } else {
            connection.rollback(savepoint);
        }
    }

    /**
     * Rolls back after a failed statement and answers the exception to throw. PostgreSQL would refuse every further
     * statement of the transaction anyway; rolling back at once makes MariaDB behave the same and frees the locks.
     */
    private DedupStoreUnavailableException fail(String operation, SQLException e) {
        state = State.FAILED;
        try {
            undo();
        } catch (SQLException | RuntimeException suppressed) {
            e.addSuppressed(suppressed);
        }
        return db.failure(operation + " in a transaction (rolled back)", e);
    }

    /**
     * @throws DedupStoreUnavailableException after a failure (the store may work again: begin a new transaction)
     * @throws IllegalStateException after commit or rollback (a programming error)
     */
    private void checkOpen() {
        switch (state) {
            case OPEN -> {}
            case FAILED -> throw new DedupStoreUnavailableException(
                    "this transaction was rolled back after a failure; begin a new one");
            default -> throw new IllegalStateException(
                    "transaction already " + state.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** The same bounds as a {@link DedupKey}'s namespace, which positions share. */
    private static void checkNamespace(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        if (namespace.isEmpty() || namespace.length() > DedupKey.MAX_NAMESPACE_LENGTH) {
            throw new IllegalArgumentException(
                    "namespace must be 1 to " + DedupKey.MAX_NAMESPACE_LENGTH + " characters");
        }
    }
}
