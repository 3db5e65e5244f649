package io.dedup.redis;

import io.dedup.spi.DedupStore;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The model-based checker against the real Redis on 127.0.0.1:6379, judged by Redis' clock. */
class RedisStandaloneModelCheckTest extends RedisModelCheck {
    @RegisterExtension
    static final RedisKeyPrefix prefix = RedisKeyPrefix.unique("model");

    @Override
    protected DedupStore createStore() {
        return prefix.store();
    }
}
