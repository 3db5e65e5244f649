package io.dedup.jdbc;

import io.dedup.testkit.DedupStepsContract;

/** Checkpointed steps on the local PostgreSQL: killed workers and stale workers. */
class PostgresStepsTest extends DedupStepsContract {
    @Override
    protected Class<? extends StoreFactory> storeFactory() {
        return StepsStores.Postgres.class;
    }

    @Override
    protected void cleanUp(String scope) throws Exception {
        StepsStores.drop(JdbcDialect.POSTGRESQL, scope);
    }
}
