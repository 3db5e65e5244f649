package io.dedup.examples;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * Removes what an example or demo run created, so reruns and parallel runs start clean.
 *
 * <p>Stateless and thread-safe; each call opens and closes its own connections.
 */
public final class Cleanup {
    // The examples call these from finally blocks, after their result is known. Everything a run creates carries the
    // run's id, so whatever a failed clean-up leaves behind never clashes with a later run.
    private Cleanup() {}

    /**
     * Deletes the Redis keys matching {@code pattern} (a {@code SCAN MATCH} pattern such as {@code
     * dedup-example:payments-1a2b:*}).
     *
     * @return how many were deleted
     */
    public static long deleteRedisKeys(String redisUri, String pattern) {
        RedisClient client = RedisClient.create(redisUri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            return deleteRedisKeys(connection.sync(), pattern);
        } finally {
            client.shutdown();
        }
    }

    /**
     * Deletes the keys matching {@code pattern} with SCAN and UNLINK (never KEYS, which blocks a shared Redis); returns
     * how many.
     */
    static long deleteRedisKeys(RedisCommands<String, String> redis, String pattern) {
        long deleted = 0;
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page =
                    redis.scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
            if (!page.getKeys().isEmpty()) {
                deleted += redis.unlink(page.getKeys().toArray(String[]::new));
            }
            cursor = page;
        } while (!cursor.isFinished());
        return deleted;
    }

    /**
     * Drops tables if they exist. The names are the examples' own (generated, never user input).
     *
     * @throws IllegalArgumentException if a name is not a plain identifier
     * @throws SQLException if the database refuses a drop
     */
    public static void dropTables(DataSource dataSource, String... tables) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            for (String table : tables) {
                if (!table.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw new IllegalArgumentException("not a plain table name: " + table);
                }
                statement.execute("DROP TABLE IF EXISTS " + table);
            }
        }
    }
}
