package io.dedup.redis;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import java.util.List;
import java.util.function.Function;

/**
 * The little the store needs from a Redis deployment, so that one store implementation serves a standalone server
 * and a cluster alike: commands sent one by one, and batches sent together. Lettuce's cluster API routes each
 * one-key script to the master owning its slot, so the store never deals with nodes itself.
 *
 * <p>Connections are made on first use and re-made by Lettuce after a loss. Implementations are thread-safe.
 */
interface RedisPort extends AutoCloseable {
    /**
     * Commands that are sent as soon as they are issued.
     *
     * @throws io.dedup.DedupStoreUnavailableException if no connection can be made
     */
    RedisScriptingAsyncCommands<byte[], byte[]> commands();

    /**
     * Issues one batch's commands through {@code issue} and sends them together: one write, hence one round trip,
     * per connection involved. Commands of other batches never interleave with the batch.
     *
     * @param keys the Redis keys the batch touches, so a cluster can connect to their masters first (a standalone
     *     server needs none: empty)
     * @param issue issues the commands, in order, and returns their futures
     * @throws io.dedup.DedupStoreUnavailableException if no connection can be made
     */
    <T> List<RedisFuture<T>> pipeline(
            List<byte[]> keys, Function<RedisScriptingAsyncCommands<byte[], byte[]>, List<RedisFuture<T>>> issue);

    /**
     * Called while a batch is awaited: sends any of its commands that could not go out with the batch (on a
     * cluster, a command redirected to another node, or one whose node connection was still being made).
     */
    void flushStragglers();

    /**
     * Whether every key lives on one server, so that one script call may touch many records (a standalone
     * server); false for a cluster, where each call touches one record and is routed to its slot's master.
     */
    boolean oneServer();

    /** A description for logs and errors, without credentials. */
    String describe();

    /** Closes the connections, and the client if the store created it. Idempotent. */
    @Override
    void close();
}
