package io.dedup.chaos;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dedup.jdbc.JdbcDedupStore;
import io.dedup.redis.RedisDedupStore;
import io.dedup.spi.DedupStore;

/**
 * Builds the store a chaos consumer runs against from its settings: the same stores users run, configured so that
 * the faults the suite injects (a restarted Redis, terminated database sessions, a frozen network) end in errors
 * within a second or two rather than in hangs. Stateless; thread-safe.
 */
final class StoreFactory {
    private StoreFactory() {}

    /** The Redis store ({@code store=redis}) or the PostgreSQL store ({@code store=postgres}). */
    static DedupStore build(ConsumerSettings settings) {
        return switch (settings.get("store")) {
            case "redis" -> RedisDedupStore.builder(settings.get("redisUri"))
                    .keyPrefix(settings.get("redisPrefix"))
                    .commandTimeout(settings.millis("storeTimeoutMillis", 1000))
                    .build();
            case "postgres" -> jdbc(settings);
            default -> throw new IllegalArgumentException("unknown store " + settings.get("store"));
        };
    }

    /**
     * The PostgreSQL store with a small pool whose sessions carry the run's name, so the test can terminate exactly this
     * consumer's sessions to simulate a database outage, and with socket timeouts, so a frozen database surfaces as an
     * error the consumer backs off from instead of a thread that hangs.
     */
    static JdbcDedupStore jdbc(ConsumerSettings settings) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.get("jdbcUrl"));
        config.setUsername(settings.get("jdbcUser", "postgres"));
        config.setMaximumPoolSize(4);
        config.setConnectionTimeout(2000);
        config.setValidationTimeout(1000);
        String name = "chaos-store-" + settings.get("namespace") + "-" + settings.id();
        config.setPoolName(name);
        // The test finds this run's store sessions by name (pg_terminate_backend).
        config.addDataSourceProperty("ApplicationName", name);
        // A half-open or frozen connection must end in an error, not a hang.
        config.addDataSourceProperty("socketTimeout", String.valueOf(settings.number("socketTimeoutSeconds", 6)));
        config.addDataSourceProperty("connectTimeout", "3");
        String idleInTransaction = settings.get("idleInTransactionMillis", "");
        if (!idleInTransaction.isEmpty()) {
            // A stopped (SIGSTOP) consumer must not hold its keys' row locks forever.
            config.addDataSourceProperty("options", "-c idle_in_transaction_session_timeout=" + idleInTransaction);
        }
        HikariDataSource pool = new HikariDataSource(config);
        return JdbcDedupStore.builder(pool)
                .table(settings.get("storeTable"))
                .lockTimeout(settings.millis("lockTimeoutMillis", 2000))
                .build();
    }
}
