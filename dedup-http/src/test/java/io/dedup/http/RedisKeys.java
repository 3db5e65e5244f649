package io.dedup.http;

import io.dedup.testkit.LocalServices;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.UUID;

/** Unique Redis key prefixes for dedup-http's tests, and their removal (never FLUSHALL: Redis is shared). */
final class RedisKeys {
    private RedisKeys() {}

    static String uniquePrefix(String test) {
        return "dedup-http-test:" + test + ":" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }

    static void deleteAll(String prefix) {
        RedisClient client = RedisClient.create(LocalServices.redis().uri());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = connection
                        .sync()
                        .scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(500));
                if (!page.getKeys().isEmpty()) {
                    connection.sync().del(page.getKeys().toArray(new String[0]));
                }
                cursor = page;
            } while (!cursor.isFinished());
        } finally {
            client.shutdown();
        }
    }
}
