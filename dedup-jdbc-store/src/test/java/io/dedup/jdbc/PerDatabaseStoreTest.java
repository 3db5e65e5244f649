package io.dedup.jdbc;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A test class that runs once per database (a subclass per dialect): the database, and a JDBC store on its table.
 * One instance for all of a class's tests, so the database and the store are opened once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PerDatabaseStoreTest {
    /** The subclass's database; as an extension, it drops its tables and closes its pool after the class. */
    @RegisterExtension
    final TestDatabase database;

    /** A store on {@link #database}'s table, which it creates. */
    final JdbcDedupStore store;

    /** @param lockTimeout the store's lock timeout: how long a claim may wait for a row another claim locks */
    PerDatabaseStoreTest(JdbcDialect dialect, Duration lockTimeout) {
        database = TestDatabase.of(dialect);
        store = database.store().lockTimeout(lockTimeout).build();
    }

    /** Closes the store before the database extension drops its table. */
    @AfterAll
    void closeStore() {
        store.close();
    }

    JdbcDialect dialect() {
        return database.dialect;
    }
}
