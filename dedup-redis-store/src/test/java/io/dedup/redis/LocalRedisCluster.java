package io.dedup.redis;

import io.dedup.testkit.RedisClusterFixture;
import io.lettuce.core.cluster.RedisClusterClient;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A three-master Redis Cluster started for one test class, and a client of it, as a JUnit extension:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final LocalRedisCluster cluster = new LocalRedisCluster();
 * }</pre>
 *
 * <p>started before the class's tests and stopped after them.
 */
final class LocalRedisCluster implements BeforeAllCallback, AfterAllCallback {
    private RedisClusterFixture fixture;
    private RedisClusterClient client;

    @Override
    public void beforeAll(ExtensionContext context) {
        fixture = RedisClusterFixture.start();
        client = RedisClusterClient.create(fixture.seedUri());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (client != null) {
            client.shutdown();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    RedisClusterClient client() {
        return client;
    }

    /** A store over the shared client. */
    RedisDedupStore store() {
        return RedisDedupStore.create(client);
    }

    List<Integer> ports() {
        return fixture.ports();
    }

    List<String> uris() {
        return fixture.uris();
    }

    void stopNode(int index) {
        fixture.stopNode(index);
    }

    void startNode(int index) {
        fixture.startNode(index);
    }
}
