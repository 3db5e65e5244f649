package io.dedup.jdbc;

class PostgresTransactionalModeTest extends TransactionalModeTest {
    PostgresTransactionalModeTest() {
        super(JdbcDialect.POSTGRESQL);
    }
}
