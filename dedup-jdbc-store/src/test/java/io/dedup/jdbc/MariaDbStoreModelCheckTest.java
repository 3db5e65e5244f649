package io.dedup.jdbc;

/**
 * The model-based checker against a real MariaDB, judged by its clock (same host: 25 ms tolerance), at the checker's
 * short real-time lease: claims are answered by the statement that wrote them, so a lease lapsing between the write
 * and the answer can no longer hide an acquisition.
 */
class MariaDbStoreModelCheckTest extends JdbcStoreModelCheck {
    MariaDbStoreModelCheckTest() {
        super(JdbcDialect.MARIADB);
    }
}
