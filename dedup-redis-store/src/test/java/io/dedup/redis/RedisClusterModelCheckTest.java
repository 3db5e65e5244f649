package io.dedup.redis;

import io.dedup.spi.DedupStore;
import io.dedup.testkit.CheckerSettings;
import io.dedup.testkit.CheckerTime;
import io.dedup.testkit.RedisClusterFixture;
import io.dedup.testkit.StoreModelCheck;
import io.lettuce.core.cluster.RedisClusterClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The model-based checker against a real three-master Redis Cluster started for this class. */
class RedisClusterModelCheckTest extends StoreModelCheck {
    private static RedisClusterFixture cluster;
    private static RedisClusterClient client;

    @BeforeAll
    static void startCluster() {
        cluster = RedisClusterFixture.start();
        client = RedisClusterClient.create(cluster.seedUri());
    }

    @AfterAll
    static void stopCluster() {
        if (client != null) {
            client.shutdown();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected DedupStore createStore() {
        return RedisDedupStore.create(client);
    }

    @Override
    protected CheckerTime time() {
        return CheckerTime.real(Duration.ofMillis(25));
    }

    /**
     * Records never expire inside a history: the store restarts a key's tokens after its record expires (DESIGN §8
     * wants them to keep increasing; issue 14 fixes it), which the checker reports as a repeated token.
     */
    @Override
    protected CheckerSettings settings() {
        return CheckerSettings.forRealTime().withRetention(Duration.ofMinutes(10));
    }
}
