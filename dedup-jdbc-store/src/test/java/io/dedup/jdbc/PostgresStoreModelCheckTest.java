package io.dedup.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;

/** The model-based checker against a real PostgreSQL, judged by its clock (same host: 25 ms tolerance). */
class PostgresStoreModelCheckTest extends JdbcStoreModelCheck {
    PostgresStoreModelCheckTest() {
        super(JdbcDialect.POSTGRESQL);
    }

    /**
     * After every claim, completion, renewal, release and revival the histories made: no row may be purged before it
     * expires, so {@code purge_after}, which the purge looks up, is never earlier than {@code expires_at}. Runs
     * before the database extension drops the table.
     */
    @AfterAll
    void no_row_is_purgeable_before_it_expires() throws SQLException {
        assertThat(database.count("SELECT COUNT(*) FROM " + database.table)).isPositive();
        assertThat(database.count("SELECT COUNT(*) FROM " + database.table
                        + " WHERE purge_after IS NULL OR purge_after < expires_at"))
                .isZero();
    }
}
