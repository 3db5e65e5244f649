package io.dedup.bench;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.UUID;
import java.util.function.Function;

/**
 * Where the Redis benchmarks write, and how they clean up after themselves. Stateless apart from the run's prefix;
 * thread-safe.
 */
public final class RedisBench {
    /** A prefix unique to this run, so that a run never touches anyone else's keys. */
    static final String PREFIX = "dedup-bench-" + UUID.randomUUID().toString().substring(0, 8) + ":";

    private RedisBench() {}

    /** The Redis to benchmark: {@code DEDUP_REDIS_URI}, or the local default. */
    static String uri() {
        String uri = System.getenv("DEDUP_REDIS_URI");
        return uri == null || uri.isBlank() ? "redis://127.0.0.1:6379" : uri;
    }

    /**
     * Runs {@code action} on a connection of its own, closed afterwards: for set-up and clean-up, never for measuring.
     */
    static <T> T withRedis(Function<RedisCommands<String, String>, T> action) {
        return withRedis(uri(), action);
    }

    /** Runs {@code action} on a connection of its own to the Redis at {@code uri}, closed afterwards. */
    private static <T> T withRedis(String uri, Function<RedisCommands<String, String>, T> action) {
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return action.apply(connection.sync());
        } finally {
            client.shutdown();
        }
    }

    /**
     * Deletes every key under {@code prefix} with SCAN and UNLINK (never KEYS, which blocks a shared server); returns
     * how many were deleted.
     */
    static long deleteAll(String prefix) {
        return deleteAll(uri(), prefix);
    }

    /**
     * Deletes every key under {@code prefix} on the Redis at {@code uri}, as {@link #deleteAll(String)} does; for
     * benchmarks that find their Redis elsewhere.
     *
     * @return how many keys were deleted
     */
    public static long deleteAll(String uri, String prefix) {
        return withRedis(uri, redis -> {
            long deleted = 0;
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = redis.scan(
                        cursor, ScanArgs.Builder.matches(prefix + "*").limit(5000));
                if (!page.getKeys().isEmpty()) {
                    deleted += redis.unlink(page.getKeys().toArray(String[]::new));
                }
                cursor = page;
            } while (!cursor.isFinished());
            return deleted;
        });
    }
}
