package io.dedup.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dedup.jdbc.JdbcDedupStore;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.redis.RedisDedupStore;
import io.dedup.spi.DedupStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

/**
 * The store of one demo run, and the clean-up of what the run left in it: the run's keys live in a namespace of
 * their own, so a rerun starts from nothing and the run's keys are deleted at the end. Not thread-safe; the store it
 * hands out is.
 *
 * @param store the store the scenario's consumers share
 * @param description how the demo names the store in its output (its first lines), without credentials
 * @param cleanup deletes the run's keys and closes the store and what it was built on
 */
record DemoStore(DedupStore store, String description, Runnable cleanup) implements AutoCloseable {
    /**
     * The Redis key prefix of every demo run; the run's namespace follows it, so one run's keys can be deleted alone.
     */
    static final String REDIS_PREFIX = "dedup-demo:";
    /** The table every demo run shares; rows carry the run's namespace, so one run's rows can be deleted alone. */
    static final String JDBC_TABLE = "dedup_demo_keys";

    /**
     * Opens the store {@code kind} for a run whose keys live in {@code namespace}.
     *
     * @throws DemoEnvironmentException if the store's service cannot be reached
     */
    static DemoStore open(DemoOptions.StoreKind kind, String namespace, DemoServices services) {
        return switch (kind) {
            case MEMORY -> new DemoStore(InMemoryDedupStore.create(), "the embedded in-memory store", () -> {});
            case REDIS -> redis(namespace, services.redisUri());
            case JDBC -> jdbc(namespace, services);
        };
    }

    /**
     * The Redis store, after a connection with a short timeout proved Redis is there: a demo that hangs on a missing
     * Redis teaches nothing, one that says how to start it does.
     */
    private static DemoStore redis(String namespace, String uri) {
        RedisClient admin;
        StatefulRedisConnection<String, String> connection;
        try {
            RedisURI redisUri = RedisURI.create(uri);
            redisUri.setTimeout(Duration.ofSeconds(2));
            admin = RedisClient.create(redisUri);
            connection = admin.connect();
        } catch (RuntimeException e) {
            throw new DemoEnvironmentException(
                    "Redis is not reachable at " + DemoServices.redact(uri) + " (" + e.getMessage()
                            + "): start it (redis-server) or set DEDUP_REDIS_URI",
                    e);
        }
        RedisDedupStore store =
                RedisDedupStore.builder(uri).keyPrefix(REDIS_PREFIX).build();
        // clean-up deletes only this run's keys (the prefix and the namespace), then closes store and admin client
        return new DemoStore(store, "the Redis store at " + DemoServices.redact(uri), () -> {
            try {
                Cleanup.deleteRedisKeys(connection.sync(), REDIS_PREFIX + namespace + ":*");
            } finally {
                store.close();
                connection.close();
                admin.shutdown();
            }
        });
    }

    /**
     * The JDBC store on a small pool, its table created if missing; the database is named in the failure message, its
     * password never.
     */
    private static DemoStore jdbc(String namespace, DemoServices services) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(services.jdbcUrl());
        config.setUsername(services.jdbcUser());
        config.setPassword(services.jdbcPassword());
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(5_000);
        config.setPoolName("dedup-demo");
        HikariDataSource dataSource;
        JdbcDedupStore store;
        try {
            dataSource = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new DemoEnvironmentException(
                    "the database is not reachable at "
                            + services.jdbcUrl().replaceAll("\\?.*", "") + " (" + e.getMessage()
                            + "): start PostgreSQL or set DEDUP_JDBC_URL, DEDUP_JDBC_USER and DEDUP_JDBC_PASSWORD",
                    e);
        }
        try {
            store = JdbcDedupStore.builder(dataSource)
                    .table(JDBC_TABLE)
                    .createSchema(true)
                    .build();
        } catch (RuntimeException e) {
            dataSource.close();
            throw new DemoEnvironmentException("could not prepare the table " + JDBC_TABLE + ": " + e.getMessage(), e);
        }
        // the table is shared by every run; clean-up deletes this run's namespace only and keeps the table
        return new DemoStore(store, "the JDBC store (" + store.dialect() + ", table " + JDBC_TABLE + ")", () -> {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement delete =
                            c.prepareStatement("DELETE FROM " + JDBC_TABLE + " WHERE namespace = ?")) {
                delete.setString(1, namespace);
                delete.executeUpdate();
            } catch (SQLException e) {
                // a failed clean-up must not turn a correct run into a failed one: say so and go on
                System.err.println("could not delete the demo's keys from " + JDBC_TABLE + ": " + e.getMessage());
            } finally {
                store.close();
                dataSource.close();
            }
        });
    }

    /** Deletes the run's keys and closes the store. */
    @Override
    public void close() {
        cleanup.run();
    }
}
