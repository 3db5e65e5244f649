package io.dedup.kafka;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dedup.testkit.LocalServices;
import io.dedup.testkit.ServiceEndpoint;

/** Small connection pools on the local PostgreSQL ({@link LocalServices#postgres()}) for the database tests. */
public final class TestPostgres {
    private TestPostgres() {}

    /**
     * A pool on the local PostgreSQL, waiting up to Hikari's default 30 s for a connection: a loaded CI machine must
     * not turn a slow connection into a failed test. The caller closes it.
     */
    public static HikariDataSource pool() {
        ServiceEndpoint pg = LocalServices.postgres();
        return pool(pg.host(), pg.port(), 30_000);
    }

    /**
     * A pool of at most four connections on the local PostgreSQL's database and user, reached at {@code host:port}
     * (the server itself, or a proxy in front of it for an outage test). A connection that cannot be had within 2 s
     * fails, so that a test of an outage sees the store unavailable quickly. The caller closes it.
     */
    public static HikariDataSource pool(String host, int port) {
        return pool(host, port, 2_000);
    }

    private static HikariDataSource pool(String host, int port, long connectionTimeoutMillis) {
        ServiceEndpoint pg = LocalServices.postgres();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://" + host + ":" + port + "/" + pg.database());
        config.setUsername(pg.user());
        config.setPassword(pg.password());
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(connectionTimeoutMillis);
        return new HikariDataSource(config);
    }
}
