package io.dedup.jdbc;

import io.dedup.testkit.DedupStepsContract;

/** Checkpointed steps on a local database: killed workers and stale workers; one subclass per dialect. */
abstract class JdbcStepsContract extends DedupStepsContract {
    private final JdbcDialect dialect;
    private final Class<? extends StepsStores> stores;

    JdbcStepsContract(JdbcDialect dialect, Class<? extends StepsStores> stores) {
        this.dialect = dialect;
        this.stores = stores;
    }

    @Override
    protected Class<? extends StoreFactory> storeFactory() {
        return stores;
    }

    @Override
    protected void cleanUp(String scope) throws Exception {
        StepsStores.drop(dialect, scope);
    }
}
