package io.dedup.jdbc;

/** Checkpointed steps on the local PostgreSQL: killed workers and stale workers. */
class PostgresStepsTest extends JdbcStepsContract {
    PostgresStepsTest() {
        super(JdbcDialect.POSTGRESQL, StepsStores.Postgres.class);
    }
}
