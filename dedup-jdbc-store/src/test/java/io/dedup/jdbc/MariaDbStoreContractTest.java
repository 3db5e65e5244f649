package io.dedup.jdbc;

import io.dedup.spi.DedupStore;
import io.dedup.testkit.DedupStoreContract;
import io.dedup.testkit.TimeControl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** The whole store contract against a real MariaDB, judged by its clock. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MariaDbStoreContractTest extends DedupStoreContract {
    private TestDatabase database;

    @BeforeAll
    void startDatabase() {
        database = TestDatabase.of(JdbcDialect.MARIADB);
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
