package io.dedup.redis;

import io.dedup.spi.DedupStore;
import io.dedup.testkit.DedupStoreContract;
import io.dedup.testkit.TimeControl;
import org.junit.jupiter.api.AfterAll;

/** The whole contract kit against the real Redis on 127.0.0.1:6379, judged by Redis' own clock. */
class RedisStandaloneContractTest extends DedupStoreContract {
    private static final String PREFIX = RedisTestSupport.uniquePrefix("contract");

    @Override
    protected DedupStore createStore() {
        return RedisDedupStore.builder(RedisTestSupport.uri()).keyPrefix(PREFIX).build();
    }

    @Override
    protected TimeControl time() {
        return TimeControl.REAL;
    }

    @AfterAll
    static void deleteRecords() {
        RedisTestSupport.deleteAll(PREFIX);
    }
}
