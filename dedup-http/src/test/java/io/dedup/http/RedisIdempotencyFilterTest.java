package io.dedup.http;

import io.dedup.redis.RedisDedupStore;
import io.dedup.spi.DedupStore;
import io.dedup.testkit.LocalServices;
import org.junit.jupiter.api.AfterEach;

/** The filter's behaviour on Redis (127.0.0.1:6379 or DEDUP_TEST_REDIS). */
class RedisIdempotencyFilterTest extends IdempotencyFilterContract {
    private final String prefix = RedisKeys.uniquePrefix("filter");
    private final RedisDedupStore store = RedisDedupStore.builder(
                    LocalServices.redis().uri())
            .keyPrefix(prefix)
            .build();

    @Override
    protected DedupStore store() {
        return store;
    }

    @AfterEach
    void deleteKeys() {
        RedisKeys.deleteAll(prefix);
    }
}
