package io.dedup.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.List;

/**
 * A standalone server (or one reached through TLS, ACL credentials, a Unix socket). Every key lives on the one
 * server, so a batch needs no preparation and one flush sends all of it. Thread-safe.
 */
final class StandaloneRedisPort extends TwoConnectionPort<StatefulRedisConnection<byte[], byte[]>> {

    /** @param onClose shuts down a client the store created; a no-op for the application's client */
    StandaloneRedisPort(RedisClient client, String description, Runnable onClose) {
        super(() -> client.connect(Codec.INSTANCE), StatefulRedisConnection::async, description, onClose);
    }

    @Override
    void beforeBatch(StatefulRedisConnection<byte[], byte[]> connection, List<byte[]> keys) {
        // Every key is on the one server the connection already reaches: nothing to connect first.
    }

    @Override
    public void flushStragglers() {
        // One connection, flushed with the batch: nothing can straggle.
    }

    @Override
    public boolean oneServer() {
        return true;
    }
}
