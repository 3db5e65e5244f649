package io.dedup.jdbc;

import io.dedup.spi.DedupStore;
import io.dedup.testkit.CheckerTime;
import io.dedup.testkit.StoreModelCheck;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/** The model-based checker against a real MariaDB, judged by its clock (same host: 25 ms tolerance). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MariaDbStoreModelCheckTest extends StoreModelCheck {
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
    protected CheckerTime time() {
        return CheckerTime.real(Duration.ofMillis(25));
    }
}
