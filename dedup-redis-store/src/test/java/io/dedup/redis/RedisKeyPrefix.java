package io.dedup.redis;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A key prefix on the local Redis that no other run uses, as a JUnit extension that deletes every key under it
 * after the class's tests:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RedisKeyPrefix prefix = RedisKeyPrefix.unique("contract");
 * }</pre>
 */
final class RedisKeyPrefix implements AfterAllCallback {
    private final String value;

    private RedisKeyPrefix(String value) {
        this.value = value;
    }

    static RedisKeyPrefix unique(String what) {
        return new RedisKeyPrefix(RedisTestSupport.uniquePrefix(what));
    }

    String value() {
        return value;
    }

    /** A store on the local Redis that writes under this prefix. */
    RedisDedupStore store() {
        return RedisDedupStore.builder(RedisTestSupport.uri()).keyPrefix(value).build();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        RedisTestSupport.deleteAll(value);
    }
}
