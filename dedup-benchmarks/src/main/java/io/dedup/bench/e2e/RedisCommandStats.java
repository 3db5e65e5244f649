package io.dedup.bench.e2e;

import io.lettuce.core.api.sync.RedisCommands;

/**
 * Commands the Redis server executed, from {@code INFO commandstats}: the sum of every command's {@code calls},
 * less {@code INFO} itself. Server-wide: other clients of the same server are counted too, so runs should not
 * share the server with other load (a delta far above the arm's expected calls per message shows when they
 * did).
 */
final class RedisCommandStats {
    private final RedisCommands<String, String> redis;

    RedisCommandStats(RedisCommands<String, String> redis) {
        this.redis = redis;
    }

    /** Commands executed so far. */
    long total() {
        return callsIn(redis.info("commandstats"));
    }

    /** The sum of {@code calls=} over the {@code cmdstat_} lines of an {@code INFO commandstats} answer. */
    static long callsIn(String info) {
        long total = 0;
        for (String line : info.split("\r?\n")) {
            if (!line.startsWith("cmdstat_") || line.startsWith("cmdstat_info:")) {
                continue;
            }
            int start = line.indexOf("calls=");
            if (start < 0) {
                continue;
            }
            start += "calls=".length();
            int end = line.indexOf(',', start);
            total += Long.parseLong(end < 0 ? line.substring(start) : line.substring(start, end));
        }
        return total;
    }
}
