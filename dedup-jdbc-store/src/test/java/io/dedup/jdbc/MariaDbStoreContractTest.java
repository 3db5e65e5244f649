package io.dedup.jdbc;

/** The whole store contract against a real MariaDB, judged by its clock. */
class MariaDbStoreContractTest extends JdbcStoreContract {
    MariaDbStoreContractTest() {
        super(JdbcDialect.MARIADB);
    }
}
