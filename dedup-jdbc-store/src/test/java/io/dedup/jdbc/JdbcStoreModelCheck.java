package io.dedup.jdbc;

import io.dedup.spi.DedupStore;
import io.dedup.testkit.CheckerTime;
import io.dedup.testkit.StoreModelCheck;
import java.time.Duration;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The model-based checker against a real database, judged by its clock (same host: 25 ms tolerance); one subclass
 * per dialect.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JdbcStoreModelCheck extends StoreModelCheck {
    @RegisterExtension
    final TestDatabase database;

    JdbcStoreModelCheck(JdbcDialect dialect) {
        this.database = TestDatabase.of(dialect);
    }

    @Override
    protected DedupStore createStore() {
        return database.store().build();
    }

    @Override
    protected CheckerTime time() {
        return CheckerTime.real(Duration.ofMillis(25));
    }
}
