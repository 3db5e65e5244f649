package io.dedup.redis;

import io.dedup.spi.DedupStore;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole contract kit against the real Redis on 127.0.0.1:6379, judged by Redis' own clock. */
class RedisStandaloneContractTest extends RedisStoreContract {
    @RegisterExtension
    static final RedisKeyPrefix prefix = RedisKeyPrefix.unique("contract");

    @Override
    protected DedupStore createStore() {
        return prefix.store();
    }
}
