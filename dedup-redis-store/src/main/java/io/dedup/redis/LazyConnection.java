package io.dedup.redis;

import io.dedup.DedupStoreUnavailableException;
import io.lettuce.core.api.StatefulConnection;
import java.util.function.Supplier;

/**
 * A connection made on first use, so that a store can be created while Redis is down (the application starts,
 * and claims fail with {@link DedupStoreUnavailableException} until Redis answers). Once made, Lettuce re-makes
 * the underlying socket by itself after a loss. Thread-safe.
 */
final class LazyConnection<C extends StatefulConnection<?, ?>> {
    private final Supplier<C> connect;
    /** The store's description, for messages. */
    private final String target;
    /** Read without the lock on the fast path; written under it. */
    private volatile C connection;
    /** Guarded by this: a closed store never connects again, even if a call races with close. */
    private boolean closed;

    /** @param connect makes the connection; its exception is reported as the store being unavailable */
    LazyConnection(Supplier<C> connect, String target) {
        this.connect = connect;
        this.target = target;
    }

    /** @throws DedupStoreUnavailableException if the connection cannot be made or the store is closed */
    C get() {
        C current = connection;
        if (current != null) {
            return current;
        }
        // Connecting under the lock: concurrent first calls wait for one connection instead of making several.
        synchronized (this) {
            if (closed) {
                throw new DedupStoreUnavailableException("store " + target + " is closed");
            }
            if (connection == null) {
                try {
                    connection = connect.get();
                } catch (RuntimeException e) {
                    throw new DedupStoreUnavailableException("cannot connect to " + target + ": " + e.getMessage(), e);
                }
            }
            return connection;
        }
    }

    /** Closes the connection if one was made; later calls of {@link #get()} fail as closed. Idempotent. */
    synchronized void close() {
        closed = true;
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
