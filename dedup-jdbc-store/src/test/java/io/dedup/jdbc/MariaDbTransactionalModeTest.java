package io.dedup.jdbc;

class MariaDbTransactionalModeTest extends TransactionalModeTest {
    @Override
    JdbcDialect dialect() {
        return JdbcDialect.MARIADB;
    }
}
