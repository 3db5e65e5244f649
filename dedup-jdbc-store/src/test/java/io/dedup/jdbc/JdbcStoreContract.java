package io.dedup.jdbc;

import io.dedup.spi.DedupStore;
import io.dedup.testkit.DedupStoreContract;
import io.dedup.testkit.TimeControl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;

/** The whole store contract against a real database, judged by its clock; one subclass per dialect. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JdbcStoreContract extends DedupStoreContract {
    private final TestDatabase database;

    JdbcStoreContract(JdbcDialect dialect) {
        this.database = TestDatabase.of(dialect);
    }

    @AfterAll
    void dropTables() throws Exception {
        database.close();
    }

    @Override
    protected DedupStore createStore() {
        return database.store().build();
    }

    @Override
    protected TimeControl time() {
        return TimeControl.REAL;
    }
}
