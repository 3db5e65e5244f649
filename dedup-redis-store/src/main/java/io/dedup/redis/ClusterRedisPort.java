package io.dedup.redis;

import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
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

/**
 * A Redis Cluster. Lettuce routes each one-key script to the master of its slot and follows MOVED/ASK
 * redirections. Batches go over a second cluster connection whose commands are buffered: each node's share is
 * written with one flush, so a batch costs one round trip per master, and a node that fails fails only its keys.
 *
 * <p>Lettuce flushes only node connections that exist at flush time (a command for a node whose connection is
 * still being made, or a redirected one, would wait for the next flush), so a batch first makes sure the
 * connections to its keys' masters exist, and {@link #flushStragglers()} flushes again while a batch is awaited.
 */
final class ClusterRedisPort extends TwoConnectionPort<StatefulRedisClusterConnection<byte[], byte[]>> {
    private final long connectWaitMillis;

    /** @param connectWaitMillis how long a batch waits for connections to its keys' masters to be made */
    ClusterRedisPort(RedisClusterClient client, long connectWaitMillis, String description, Runnable onClose) {
        super(() -> client.connect(Codec.INSTANCE), StatefulRedisClusterConnection::async, description, onClose);
        this.connectWaitMillis = connectWaitMillis;
    }

    @Override
    void beforeBatch(StatefulRedisClusterConnection<byte[], byte[]> connection, List<byte[]> keys) {
        connectMastersOf(connection, keys);
    }

    /**
     * Waits (boundedly) until the connections to the masters owning {@code keys} are made; failures are left to the
     * commands. The topology is Lettuce's cached view: a slot that moved since is followed by a redirection, whose
     * command {@link #flushStragglers()} sends.
     */
    private void connectMastersOf(StatefulRedisClusterConnection<byte[], byte[]> connection, List<byte[]> keys) {
        Partitions partitions = connection.getPartitions();
        Set<RedisURI> masters = new LinkedHashSet<>();
        for (byte[] key : keys) {
            RedisClusterNode master = partitions.getMasterBySlot(SlotHash.getSlot(key));
            // No master known for the slot (being resharded, or a stale view): the command finds its way by MOVED.
            if (master != null) {
                masters.add(master.getUri());
            }
        }
        // Started for all masters before waiting for any, so that they connect in parallel.
        List<CompletableFuture<StatefulRedisConnection<byte[], byte[]>>> connecting = new ArrayList<>();
        for (RedisURI master : masters) {
            try {
                connecting.add(connection.getConnectionAsync(master.getHost(), master.getPort()));
            } catch (RuntimeException e) {
                // The node left the topology: the commands for it fail on their own and name the reason.
            }
        }
        // One deadline for all masters: they connect in parallel, so the batch waits at most connectWaitMillis.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(connectWaitMillis);
        for (CompletableFuture<StatefulRedisConnection<byte[], byte[]>> future : connecting) {
            try {
                future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                // Keep the interrupt for the caller; the batch still goes out and its own wait sees the flag.
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                // As above: a master that cannot be reached fails its own keys only.
            }
        }
    }

    /** Flushes the batch connection again: commands queued on node connections made since the batch's flush. */
    @Override
    public void flushStragglers() {
        batchConnection().flushCommands();
    }

    /** Keys spread over masters by slot, so every script call touches one record. */
    @Override
    public boolean oneServer() {
        return false;
    }
}
