package io.dedup.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.DedupStoreCorruptionException;
import io.dedup.OutcomeStatus;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.WriteResult;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PostgresStoreBehaviourTest extends JdbcStoreBehaviourTest {
    PostgresStoreBehaviourTest() {
        super(JdbcDialect.POSTGRESQL);
    }

    @Test
    void a_key_postgresql_cannot_store_is_refused_for_that_key_only() {
        DedupKey nul = DedupKey.of(ns, "a\u0000b");
        Duration d = Duration.ofMinutes(1);
        assertThatThrownBy(() -> store.claim(ClaimRequest.of(nul, d, d)))
                .isInstanceOf(DedupStoreCorruptionException.class)
                .hasMessageContaining("U+0000");
        List<ClaimResult> batch =
                store.claimAll(List.of(ClaimRequest.of(nul, d, d), ClaimRequest.of(DedupKey.of(ns, "fine"), d, d)));
        assertThat(batch.get(0)).isInstanceOf(ClaimResult.Failed.class);
        assertThat(batch.get(1)).isInstanceOf(ClaimResult.Acquired.class);
        assertThat(store.find(nul)).isEmpty();
    }

    /**
     * A completion within the lease changes no indexed column, so PostgreSQL writes it as a heap-only (HOT) update:
     * no new entries in the primary key or the purge index. With the purge index on {@code expires_at}, which every
     * completion moves, none was. Each key is completed alone, on pages the fill factor left room on, so the count
     * does not depend on when PostgreSQL prunes.
     */
    @Test
    void a_completion_within_the_lease_is_a_heap_only_update() throws SQLException {
        String table = database.uniqueTable("hot");
        int keys = 10;
        Duration minutes = Duration.ofMinutes(5);
        try (HikariDataSource pool = TestDatabase.pool(database.endpoint, 2);
                JdbcDedupStore own = JdbcDedupStore.builder(pool)
                        .table(table)
                        .createSchema(true)
                        .build()) {
            for (int i = 0; i < keys; i++) {
                Claim claim = ((ClaimResult.Acquired)
                                own.claim(ClaimRequest.of(DedupKey.of(ns, "k" + i), minutes, minutes)))
                        .claim();
                assertThat(own.complete(new Completion(
                                claim.key(), claim.token(), OutcomeStatus.SUCCEEDED, new byte[] {1}, minutes)))
                        .isEqualTo(WriteResult.APPLIED);
            }
        }
        // the pool's sessions have ended, which hands their counts to the statistics
        String stats = "SELECT COALESCE(SUM(%s), 0) FROM pg_stat_user_tables WHERE relname = '" + table + "'";
        await().atMost(Duration.ofSeconds(30)).until(() -> database.count(stats.formatted("n_tup_upd")) == keys);
        assertThat(database.count(stats.formatted("n_tup_hot_upd"))).isEqualTo(keys);
    }

    /**
     * A table made by an earlier version (purge index on {@code expires_at}, no {@code purge_after}) is upgraded by
     * the schema script when the store starts: the column is added and filled, the old index dropped, and the purge
     * finds the old rows. A second start changes nothing.
     */
    @Test
    void a_table_from_before_purge_after_is_upgraded_at_start() throws SQLException {
        String table = database.uniqueTable("older");
        database.execute(
                "CREATE TABLE " + table + " (namespace VARCHAR(200) NOT NULL, idem_key VARCHAR(128) NOT NULL,"
                        + " state VARCHAR(11) NOT NULL, token BIGINT NOT NULL, attempts INTEGER NOT NULL,"
                        + " lease_until TIMESTAMPTZ NULL, expires_at TIMESTAMPTZ NOT NULL, fingerprint VARCHAR(200) NULL,"
                        + " outcome_status VARCHAR(16) NULL, outcome_body BYTEA NULL, completed_at TIMESTAMPTZ NULL,"
                        + " created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (namespace, idem_key))");
        database.execute("CREATE INDEX " + table + "_expires_idx ON " + table + " (expires_at)");
        database.execute("INSERT INTO " + table + " (namespace, idem_key, state, token, attempts, expires_at,"
                + " outcome_status, outcome_body, completed_at, created_at, updated_at) VALUES"
                + " ('" + ns + "', 'gone', 'COMPLETED', 1, 1, now() - interval '1 minute', 'SUCCEEDED', '', now(),"
                + " now(), now()),"
                + " ('" + ns + "', 'kept', 'COMPLETED', 1, 1, now() + interval '1 hour', 'SUCCEEDED', '', now(),"
                + " now(), now())");
        String index = "SELECT COUNT(*) FROM pg_indexes WHERE tablename = '" + table + "' AND indexname = '" + table;
        for (int start = 0; start < 2; start++) {
            try (JdbcDedupStore upgraded = JdbcDedupStore.builder(database.dataSource)
                    .table(table)
                    .createSchema(true)
                    .build()) {
                assertThat(database.count("SELECT COUNT(*) FROM " + table + " WHERE purge_after IS DISTINCT FROM"
                                + " expires_at"))
                        .isZero();
                assertThat(database.count(index + "_expires_idx'")).isZero();
                assertThat(database.count(index + "_purge_idx'")).isOne();
                assertThat(upgraded.find(DedupKey.of(ns, "kept"))).isPresent();
                assertThat(upgraded.purgeExpired(10)).isEqualTo(start == 0 ? 1 : 0);
            }
        }
        assertThat(database.count("SELECT COUNT(*) FROM " + table)).isOne();
    }
}
