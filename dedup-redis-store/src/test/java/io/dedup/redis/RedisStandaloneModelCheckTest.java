package io.dedup.redis;

import io.dedup.spi.DedupStore;
import io.dedup.testkit.CheckerSettings;
import io.dedup.testkit.CheckerTime;
import io.dedup.testkit.StoreModelCheck;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;

/** The model-based checker against the real Redis on 127.0.0.1:6379, judged by Redis' clock. */
class RedisStandaloneModelCheckTest extends StoreModelCheck {
    private static final String PREFIX = RedisTestSupport.uniquePrefix("model");

    @Override
    protected DedupStore createStore() {
        return RedisDedupStore.builder(RedisTestSupport.uri()).keyPrefix(PREFIX).build();
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

    @AfterAll
    static void deleteRecords() {
        RedisTestSupport.deleteAll(PREFIX);
    }
}
