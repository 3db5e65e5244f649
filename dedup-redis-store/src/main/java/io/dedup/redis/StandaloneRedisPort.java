package io.dedup.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A standalone server (or one reached through TLS, ACL credentials, a Unix socket). Single commands go over one
 * auto-flushing connection; batches over a second connection whose commands are buffered and written with one
 * flush, under a lock so that two batches never mix.
 */
final class StandaloneRedisPort implements RedisPort {
    private final LazyConnection<StatefulRedisConnection<byte[], byte[]>> single;
    private final LazyConnection<StatefulRedisConnection<byte[], byte[]>> batch;
    private final ReentrantLock batchLock = new ReentrantLock();
    private final String description;
    private final Runnable onClose;

    StandaloneRedisPort(RedisClient client, String description, Runnable onClose) {
        this.description = description;
        this.onClose = onClose;
        this.single = new LazyConnection<>(() -> client.connect(Codec.INSTANCE), description);
        this.batch = new LazyConnection<>(
                () -> {
                    StatefulRedisConnection<byte[], byte[]> connection = client.connect(Codec.INSTANCE);
                    connection.setAutoFlushCommands(false);
                    return connection;
                },
                description);
    }

    @Override
    public RedisScriptingAsyncCommands<byte[], byte[]> commands() {
        return single.get().async();
    }

    @Override
    public <T> List<RedisFuture<T>> pipeline(
            List<byte[]> keys, Function<RedisScriptingAsyncCommands<byte[], byte[]>, List<RedisFuture<T>>> issue) {
        StatefulRedisConnection<byte[], byte[]> connection = batch.get();
        batchLock.lock();
        try {
            return issue.apply(connection.async());
        } finally {
            connection.flushCommands();
            batchLock.unlock();
        }
    }

    @Override
    public void flushStragglers() {
        // One connection, flushed with the batch: nothing can straggle.
    }

    @Override
    public boolean oneServer() {
        return true;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        try {
            single.close();
            batch.close();
        } finally {
            onClose.run();
        }
    }
}
