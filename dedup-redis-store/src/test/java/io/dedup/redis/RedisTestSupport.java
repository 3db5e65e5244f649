package io.dedup.redis;

import io.dedup.testkit.LocalServices;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.UUID;

/** The local Redis, a key prefix unique to a test run, and clean-up of what a test wrote under it. */
final class RedisTestSupport {
    private RedisTestSupport() {}

    static String uri() {
        return LocalServices.redis().uri();
    }

    /** A prefix no other run (or engineer sharing the server) uses. */
    static String uniquePrefix(String what) {
        return "dedup-test:" + what + "-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }

    /** Runs {@code action} with plain commands on the local Redis. */
    static <T> T withRedis(java.util.function.Function<RedisCommands<String, String>, T> action) {
        RedisClient client = RedisClient.create(uri());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return action.apply(connection.sync());
        } finally {
            client.shutdown();
        }
    }

    /** Deletes every key under {@code prefix} on the local Redis. */
    static void deleteAll(String prefix) {
        withRedis(redis -> {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = redis.scan(
                        cursor, ScanArgs.Builder.matches(prefix + "*").limit(1000));
                if (!page.getKeys().isEmpty()) {
                    redis.unlink(page.getKeys().toArray(String[]::new));
                }
                cursor = page;
            } while (!cursor.isFinished());
            return null;
        });
    }
}
