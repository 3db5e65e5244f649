package io.dedup.jdbc;

import io.dedup.spi.DedupStore;
import io.dedup.testkit.DedupStoreContract;
import io.dedup.testkit.TimeControl;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole store contract against a real database, judged by its clock; one subclass per dialect. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JdbcStoreContract extends DedupStoreContract {
    @RegisterExtension
    final TestDatabase database;

    JdbcStoreContract(JdbcDialect dialect) {
        this.database = TestDatabase.of(dialect);
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
