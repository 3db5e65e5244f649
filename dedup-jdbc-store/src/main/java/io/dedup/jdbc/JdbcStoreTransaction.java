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

    private final JdbcDedupStore store;
    private final Connection connection;
    private final boolean own;
    private final boolean restoreAutoCommit;
    private final Savepoint savepoint;
    private Connection guarded;
    private State state = State.OPEN;

    private JdbcStoreTransaction(
            JdbcDedupStore store, Connection connection, boolean own, boolean restoreAutoCommit, Savepoint savepoint) {
        this.store = store;
        this.connection = connection;
        this.own = own;
        this.restoreAutoCommit = restoreAutoCommit;
        this.savepoint = savepoint;
    }

    static JdbcStoreTransaction own(JdbcDedupStore store, Connection connection, boolean restoreAutoCommit) {
        return new JdbcStoreTransaction(store, connection, true, restoreAutoCommit, null);
    }

    static JdbcStoreTransaction joined(JdbcDedupStore store, Connection connection, Savepoint savepoint) {
        return new JdbcStoreTransaction(store, connection, false, false, savepoint);
    }

    @Override
    public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        checkOpen();
        if (requests.isEmpty()) {
            return List.of();
        }
        try {
            return store.claims(connection, true).claimAll(requests);
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
            return store.completions(connection, true).completeAll(completions);
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
                DedupKey stored = StoredText.key(claim.key());
                results.add(
                        store.sql().unstorable(stored) != null
                                ? WriteResult.FENCED
                                : WriteResult.of(store.sql().release(connection, stored, claim.token(), retention)));
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
            store.sql().savePositions(connection, namespace, new ArrayList<>(last.values()));
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
            return Map.copyOf(store.sql().positions(connection, namespace, stream));
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
            throw store.failure("roll back", e);
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
                closeQuietly(connection, null);
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
        return store.failure(operation + " in a transaction (rolled back)", e);
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

    static void rollbackQuietly(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException | RuntimeException e) {
            if (cause != null) {
                cause.addSuppressed(e);
            }
        }
    }

    static void closeQuietly(Connection connection, Throwable cause) {
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            if (cause != null) {
                cause.addSuppressed(e);
            }
        }
    }
}
