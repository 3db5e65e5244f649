package io.dedup.jdbc;

/** Checkpointed steps on the local MariaDB: killed workers and stale workers. */
class MariaDbStepsTest extends JdbcStepsContract {
    MariaDbStepsTest() {
        super(JdbcDialect.MARIADB, StepsStores.MariaDb.class);
    }
}
