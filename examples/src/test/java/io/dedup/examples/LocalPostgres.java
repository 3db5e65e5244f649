package io.dedup.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dedup.testkit.LocalServices;
import io.dedup.testkit.ServiceEndpoint;

/** A small pool on the local PostgreSQL ({@link LocalServices#postgres()}), for the worked examples' tests. */
public final class LocalPostgres {
    private LocalPostgres() {}

    /** A new pool of four connections; the caller closes it. */
    public static HikariDataSource pool() {
        ServiceEndpoint postgres = LocalServices.postgres();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(postgres.jdbcUrl());
        config.setUsername(postgres.user());
        config.setPassword(postgres.password());
        config.setMaximumPoolSize(4);
        return new HikariDataSource(config);
    }
}
