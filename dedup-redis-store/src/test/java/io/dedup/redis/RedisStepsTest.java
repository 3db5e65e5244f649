package io.dedup.redis;

import io.dedup.testkit.DedupStepsContract;

/** Checkpointed steps on the real Redis on 127.0.0.1:6379: killed workers and stale workers. */
class RedisStepsTest extends DedupStepsContract {
    @Override
    protected Class<? extends StoreFactory> storeFactory() {
        return RedisStepsStores.class;
    }

    @Override
    protected void cleanUp(String scope) {
        RedisTestSupport.deleteAll(RedisStepsStores.prefix(scope));
    }
}
