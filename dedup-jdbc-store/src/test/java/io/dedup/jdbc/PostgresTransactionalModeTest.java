package io.dedup.jdbc;

class PostgresTransactionalModeTest extends TransactionalModeTest {
    @Override
    JdbcDialect dialect() {
        return JdbcDialect.POSTGRESQL;
    }
}
