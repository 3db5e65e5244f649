package io.dedup.redis;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A Redis Cluster. Lettuce routes each one-key script to the master of its slot and follows MOVED/ASK
 * redirections. Batches go over a second cluster connection whose commands are buffered: each node's share is
 * written with one flush, so a batch costs one round trip per master, and a node that fails fails only its keys.
 *
 * <p>Lettuce flushes only node connections that exist at flush time (a command for a node whose connection is
 * still being made, or a redirected one, would wait for the next flush), so a batch first makes sure the
 * connections to its keys' masters exist, and {@link #flushStragglers()} flushes again while a batch is awaited.
 */
final class ClusterRedisPort implements RedisPort {
    private final LazyConnection<StatefulRedisClusterConnection<byte[], byte[]>> single;
    private final LazyConnection<StatefulRedisClusterConnection<byte[], byte[]>> batch;
    private final ReentrantLock batchLock = new ReentrantLock();
    private final long connectWaitMillis;
    private final String description;
    private final Runnable onClose;

    ClusterRedisPort(RedisClusterClient client, long connectWaitMillis, String description, Runnable onClose) {
        this.connectWaitMillis = connectWaitMillis;
        this.description = description;
        this.onClose = onClose;
        this.single = new LazyConnection<>(() -> client.connect(Codec.INSTANCE), description);
        this.batch = new LazyConnection<>(
                () -> {
                    StatefulRedisClusterConnection<byte[], byte[]> connection = client.connect(Codec.INSTANCE);
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
        StatefulRedisClusterConnection<byte[], byte[]> connection = batch.get();
        connectMastersOf(connection, keys);
        batchLock.lock();
        try {
            return issue.apply(connection.async());
        } finally {
            connection.flushCommands();
            batchLock.unlock();
        }
    }

    /** Waits (boundedly) until the connections to the masters owning {@code keys} are made; failures are left to the commands. */
    private void connectMastersOf(StatefulRedisClusterConnection<byte[], byte[]> connection, List<byte[]> keys) {
        Partitions partitions = connection.getPartitions();
        Set<RedisURI> masters = new LinkedHashSet<>();
        for (byte[] key : keys) {
            RedisClusterNode master = partitions.getMasterBySlot(SlotHash.getSlot(key));
            if (master != null) {
                masters.add(master.getUri());
            }
        }
        List<CompletableFuture<StatefulRedisConnection<byte[], byte[]>>> connecting = new ArrayList<>();
        for (RedisURI master : masters) {
            try {
                connecting.add(connection.getConnectionAsync(master.getHost(), master.getPort()));
            } catch (RuntimeException e) {
                // The node left the topology: the commands for it fail on their own and name the reason.
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(connectWaitMillis);
        for (CompletableFuture<StatefulRedisConnection<byte[], byte[]>> future : connecting) {
            try {
                future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                // As above: a master that cannot be reached fails its own keys only.
            }
        }
    }

    @Override
    public void flushStragglers() {
        StatefulRedisClusterConnection<byte[], byte[]> connection = batch.get();
        connection.flushCommands();
    }

    @Override
    public boolean oneServer() {
        return false;
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
