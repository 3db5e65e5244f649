package io.dedup.redis;

import io.dedup.spi.DedupStore;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The model-based checker against a real three-master Redis Cluster started for this class. */
class RedisClusterModelCheckTest extends RedisModelCheck {
    @RegisterExtension
    static final LocalRedisCluster cluster = new LocalRedisCluster();

    @Override
    protected DedupStore createStore() {
        return cluster.store();
    }
}
