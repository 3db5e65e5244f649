package io.dedup.jdbc;

import io.dedup.spi.DedupStore;
import io.dedup.testkit.DedupStoreContract;
import io.dedup.testkit.TimeControl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** The whole store contract against a real PostgreSQL, judged by its clock. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresStoreContractTest extends DedupStoreContract {
    private TestDatabase database;

    @BeforeAll
    void startDatabase() {
        database = TestDatabase.of(JdbcDialect.POSTGRESQL);
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
