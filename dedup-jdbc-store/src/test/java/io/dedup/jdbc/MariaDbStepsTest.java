package io.dedup.jdbc;

import io.dedup.testkit.DedupStepsContract;

/** Checkpointed steps on the local MariaDB: killed workers and stale workers. */
class MariaDbStepsTest extends DedupStepsContract {
    @Override
    protected Class<? extends StoreFactory> storeFactory() {
        return StepsStores.MariaDb.class;
    }

    @Override
    protected void cleanUp(String scope) throws Exception {
        StepsStores.drop(JdbcDialect.MARIADB, scope);
    }
}
