package io.dedup.redis;

import io.dedup.spi.DedupStore;
import io.dedup.testkit.DedupStepsContract;

/** The local Redis under a key prefix named after the scope; built by name in the steps contract's child JVM. */
public final class RedisStepsStores implements DedupStepsContract.StoreFactory {
    static String prefix(String scope) {
        return "dedup-test:" + scope + ":";
    }

    @Override
    public DedupStore create(String scope) {
        return RedisDedupStore.builder(RedisTestSupport.uri())
                .keyPrefix(prefix(scope))
                .build();
    }
}
