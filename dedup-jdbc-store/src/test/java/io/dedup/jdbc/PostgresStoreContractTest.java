package io.dedup.jdbc;

/** The whole store contract against a real PostgreSQL, judged by its clock. */
class PostgresStoreContractTest extends JdbcStoreContract {
    PostgresStoreContractTest() {
        super(JdbcDialect.POSTGRESQL);
    }
}
