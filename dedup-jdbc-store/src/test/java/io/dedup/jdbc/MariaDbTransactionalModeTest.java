package io.dedup.jdbc;

class MariaDbTransactionalModeTest extends TransactionalModeTest {
    MariaDbTransactionalModeTest() {
        super(JdbcDialect.MARIADB);
    }
}
