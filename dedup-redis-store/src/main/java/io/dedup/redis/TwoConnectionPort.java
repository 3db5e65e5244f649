package io.dedup.redis;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link RedisPort} over two lazily made connections of one Lettuce client: single commands go over an
 * auto-flushing one; batches over a second one whose commands are buffered and written with one flush, under a lock
 * so that two batches never mix. What differs between a standalone server and a cluster is the connection type and
 * what must happen before a batch is issued ({@link #beforeBatch}).
 *
 * <p>Thread-safe: the single connection is shared (Lettuce multiplexes it), the batch connection is used under the
 * lock.
 *
 * @param <C> the connection type
 */
abstract class TwoConnectionPort<C extends StatefulConnection<byte[], byte[]>> implements RedisPort {
    /** Auto-flushing: each single call leaves at once. */
    private final LazyConnection<C> single;
    /** Buffered: a batch's commands leave together at its flush. */
    private final LazyConnection<C> batch;

    private final Function<C, RedisScriptingAsyncCommands<byte[], byte[]>> async;
    /** Two batches issuing at once would interleave in the buffer and one's flush would send the other's half. */
    private final ReentrantLock batchLock = new ReentrantLock();

    private final String description;
    private final Runnable onClose;

    /**
     * @param connect makes a connection (called at most twice, on first use of each)
     * @param async the scripting commands of a connection
     * @param description for logs and errors, without credentials
     * @param onClose run after both connections are closed (shuts down a client the store created)
     */
    TwoConnectionPort(
            Supplier<C> connect,
            Function<C, RedisScriptingAsyncCommands<byte[], byte[]>> async,
            String description,
            Runnable onClose) {
        this.async = async;
        this.description = description;
        this.onClose = onClose;
        this.single = new LazyConnection<>(connect, description);
        this.batch = new LazyConnection<>(
                () -> {
                    C connection = connect.get();
                    // Buffered: the whole batch leaves with the flush in pipeline(), one write per node.
                    connection.setAutoFlushCommands(false);
                    return connection;
                },
                description);
    }

    /** Prepares the batch connection for commands on {@code keys}; called before the batch lock is taken. */
    abstract void beforeBatch(C connection, List<byte[]> keys);

    /**
     * The batch connection, for {@link #flushStragglers()}.
     *
     * @throws io.dedup.DedupStoreUnavailableException if it cannot be made or the port is closed
     */
    final C batchConnection() {
        return batch.get();
    }

    @Override
    public final RedisScriptingAsyncCommands<byte[], byte[]> commands() {
        return async.apply(single.get());
    }

    @Override
    public final <T> List<RedisFuture<T>> pipeline(
            List<byte[]> keys, Function<RedisScriptingAsyncCommands<byte[], byte[]>, List<RedisFuture<T>>> issue) {
        C connection = batch.get();
        beforeBatch(connection, keys);
        batchLock.lock();
        try {
            return issue.apply(async.apply(connection));
        } finally {
            // Flushed even when issuing failed half-way: a buffered command must not wait for the next batch.
            connection.flushCommands();
            batchLock.unlock();
        }
    }

    @Override
    public final String describe() {
        return description;
    }

    @Override
    public final void close() {
        try {
            single.close();
            batch.close();
        } finally {
            onClose.run();
        }
    }
}
