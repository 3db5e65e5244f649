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
 */
final class JdbcStoreTransaction implements StoreTransaction {
    private enum State {
        OPEN,
        COMMITTED,
        ROLLED_BACK,
        FAILED
    }

    private final StoreDatabase db;
    private final Connection connection;
    private final boolean own;
    private final boolean restoreAutoCommit;
    private final Savepoint savepoint;
    private Connection guarded;
    private State state = State.OPEN;

    private JdbcStoreTransaction(
            StoreDatabase db, Connection connection, boolean own, boolean restoreAutoCommit, Savepoint savepoint) {
        this.db = db;
        this.connection = connection;
        this.own = own;
        this.restoreAutoCommit = restoreAutoCommit;
        this.savepoint = savepoint;
    }

    /**
     * A transaction on a connection of the store's data source, with the dialect's isolation level.
     *
     * @throws DedupStoreUnavailableException if the store is closed or no connection can be had
     */
    static JdbcStoreTransaction begin(StoreDatabase db) {
        db.checkOpen();
        Connection connection;
        try {
            connection = db.dataSource.getConnection();
        } catch (SQLException e) {
            throw db.failure("begin a transaction", e);
        }
        try {
            boolean autoCommit = connection.getAutoCommit();
            if (autoCommit) {
                connection.setAutoCommit(false);
            }
            db.sql.beginTransaction(connection);
            return new JdbcStoreTransaction(db, connection, true, autoCommit, null);
        } catch (SQLException | RuntimeException e) {
            ConnectionCleanup.closeQuietly(connection, e);
            throw e instanceof SQLException sql ? db.failure("begin a transaction", sql) : (RuntimeException) e;
        }
    }

    /**
     * A transaction inside the caller's, on {@code connection}, from a savepoint set now.
     *
     * @throws IllegalArgumentException if the connection is in autocommit mode
     * @throws DedupStoreUnavailableException if the store is closed or the savepoint cannot be set
     */
    static JdbcStoreTransaction join(StoreDatabase db, Connection connection) {
        db.checkOpen();
        try {
            if (connection.getAutoCommit()) {
                throw new IllegalArgumentException("begin(Connection) joins the caller's transaction, but the "
                        + "connection is in autocommit mode; turn autocommit off or use begin()");
            }
            return new JdbcStoreTransaction(db, connection, false, false, connection.setSavepoint());
        } catch (SQLException e) {
            throw db.failure("join the caller's transaction", e);
        }
    }

    @Override
    public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        checkOpen();
        if (requests.isEmpty()) {
            return List.of();
        }
        try {
            return db.claims(connection, true).claimAll(requests);
        } catch (SQLException e) {
            throw fail("claim " + requests.size() + " keys", e);
        }
    }

    @Override
    public List<WriteResult> completeAll(List<Completion> completions) {
        Objects.requireNonNull(completions, "completions");
        checkOpen();
        if (completions.isEmpty()) {
            return List.of();
        }
        try {
            return db.completions(connection, true).completeAll(completions);
        } catch (SQLException e) {
            throw fail("complete " + completions.size() + " keys", e);
        }
    }

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
                ConnectionCleanup.closeQuietly(connection, null);
            }
        }
    }

    private void undo() throws SQLException {
        if (own) {
            connection.rollback();
        } else {
            connection.rollback(savepoint);
        }
    }

    private DedupStoreUnavailableException fail(String operation, SQLException e) {
        state = State.FAILED;
        try {
            undo();
        } catch (SQLException | RuntimeException suppressed) {
            e.addSuppressed(suppressed);
        }
        return db.failure(operation + " in a transaction (rolled back)", e);
    }

    private void checkOpen() {
        switch (state) {
            case OPEN -> {}
            case FAILED -> throw new DedupStoreUnavailableException(
                    "this transaction was rolled back after a failure; begin a new one");
            default -> throw new IllegalStateException(
                    "transaction already " + state.name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private static void checkNamespace(String namespace) {
        Objects.requireNonNull(namespace, "namespace");
        if (namespace.isEmpty() || namespace.length() > DedupKey.MAX_NAMESPACE_LENGTH) {
            throw new IllegalArgumentException(
                    "namespace must be 1 to " + DedupKey.MAX_NAMESPACE_LENGTH + " characters");
        }
    }
}
