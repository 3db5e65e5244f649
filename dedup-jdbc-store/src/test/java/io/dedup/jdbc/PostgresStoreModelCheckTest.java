package io.dedup.jdbc;

/** The model-based checker against a real PostgreSQL, judged by its clock (same host: 25 ms tolerance). */
class PostgresStoreModelCheckTest extends JdbcStoreModelCheck {
    PostgresStoreModelCheckTest() {
        super(JdbcDialect.POSTGRESQL);
    }
}
