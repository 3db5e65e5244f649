package io.dedup.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.OutcomeStatus;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.ExpiredEntriesPurger;
import io.dedup.spi.StoreTransaction;
import io.dedup.spi.TransactionalStore;
import io.dedup.spi.WriteResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the JDBC store does beyond the shared contract, on each database. */
abstract class JdbcStoreBehaviourTest extends PerDatabaseStoreTest {
    private static final Duration LONG = Duration.ofMinutes(10);

    protected String ns;

    JdbcStoreBehaviourTest(JdbcDialect dialect) {
        super(dialect, Duration.ofSeconds(1));
    }

    @BeforeEach
    void freshNamespace() {
        ns = "behaviour-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private DedupKey key(String id) {
        return DedupKey.of(ns, id);
    }

    private Claim acquire(ClaimRequest request) {
        ClaimResult result = store.claim(request);
        assertThat(result).isInstanceOf(ClaimResult.Acquired.class);
        return ((ClaimResult.Acquired) result).claim();
    }

    /**
     * Claimers racing on one key whose lease lapses at once: every acquisition the store counts (attempts) was
     * answered Acquired to the claim that made it, and every claim is decided. A claim that reads its answer back
     * after committing its write can see another claimer's takeover, and answer InProgress for an acquisition of its
     * own, or find the lease lapsed again and keep claiming until it gives up.
     */
    @Test
    void every_acquisition_is_answered_acquired_even_when_its_lease_lapses_at_once() throws Exception {
        DedupKey key = DedupKey.of(ns, "lapsing");
        ClaimRequest request = ClaimRequest.of(key, Duration.ofNanos(1000), Duration.ofMinutes(5));
        int threads = 4;
        int claimsEach = 150;
        AtomicInteger acquired = new AtomicInteger();
        AtomicInteger undecided = new AtomicInteger();
        List<CompletableFuture<Void>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < claimsEach; i++) {
                    try {
                        ClaimResult result = i % 2 == 0
                                ? store.claim(request)
                                : store.claimAll(List.of(request)).get(0);
                        if (result instanceof ClaimResult.Failed) {
                            undecided.incrementAndGet();
                        } else if (result instanceof ClaimResult.Acquired) {
                            acquired.incrementAndGet();
                        }
                    } catch (DedupStoreUnavailableException e) {
                        undecided.incrementAndGet();
                    }
                }
            }));
        }
        for (CompletableFuture<Void> worker : workers) {
            worker.get(2, TimeUnit.MINUTES);
        }
        assertThat(store.find(key).orElseThrow().attempts())
                .as("acquisitions counted by the store (%d claims undecided)", undecided.get())
                .isEqualTo(acquired.get());
        assertThat(undecided).as("claims that could not be decided").hasValue(0);
    }

    @Test
    void the_dialect_is_read_from_the_connection_and_the_store_is_a_purger_and_transactional() {
        assertThat(store.dialect()).isEqualTo(dialect());
        assertThat(store.capability(ExpiredEntriesPurger.class)).containsSame(store);
        assertThat(store.capability(TransactionalStore.class)).containsSame(store);
        assertThat(store.describe()).contains(dialect().name()).contains(database.table);
    }

    @Test
    void purge_removes_exactly_the_expired_rows_in_bounded_batches() throws Exception {
        String table = database.uniqueTable("purge");
        try (JdbcDedupStore purging = onOwnTable(table).build()) {
            Duration brief = Duration.ofMillis(300);
            for (int i = 0; i < 23; i++) {
                // Lease and retention as brief as the completion's: on PostgreSQL a completed row is purged once the
                // claim's lease plus retention have passed too (purge_after), not only its own retention.
                Claim claim =
                        ((ClaimResult.Acquired) purging.claim(ClaimRequest.of(key("old-" + i), brief, brief))).claim();
                if (i % 2 == 0) {
                    purging.complete(
                            new Completion(claim.key(), claim.token(), OutcomeStatus.SUCCEEDED, new byte[0], brief));
                } else {
                    purging.release(claim.key(), claim.token(), brief);
                }
            }
            List<ClaimRequest> live = new ArrayList<>();
            for (int i = 0; i < 17; i++) {
                live.add(ClaimRequest.of(key("live-" + i), LONG, LONG));
            }
            purging.claimAll(live);
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> purging.find(key("old-0")).isEmpty()
                            && purging.find(key("old-1")).isEmpty()
                            && purging.find(key("old-22")).isEmpty());
            await().atMost(Duration.ofSeconds(20)).until(() -> purgeableRows(table) == 23);

            List<Integer> batches = new ArrayList<>();
            int deleted;
            do {
                deleted = purging.purgeExpired(5);
                batches.add(deleted);
            } while (deleted == 5);
            assertThat(batches).containsExactly(5, 5, 5, 5, 3);
            assertThat(database.count("SELECT COUNT(*) FROM " + table)).isEqualTo(17);
            assertThat(purging.purgeExpired(5)).isZero();
            for (ClaimRequest request : live) {
                assertThat(purging.find(request.key())).isPresent();
            }
        }
    }

    /** A store on {@code table}, created for the test, so that counting rows counts only the test's own. */
    private JdbcDedupStore.Builder onOwnTable(String table) {
        return JdbcDedupStore.builder(database.dataSource).table(table).createSchema(true);
    }

    /** Rows the purge deletes: expired, and on PostgreSQL also past {@code purge_after}, which the purge looks up. */
    private long purgeableRows(String table) throws SQLException {
        String condition = dialect() == JdbcDialect.POSTGRESQL
                ? "expires_at <= statement_timestamp() AND purge_after <= statement_timestamp()"
                : "expires_at <= UTC_TIMESTAMP(6)";
        return database.count("SELECT COUNT(*) FROM " + table + " WHERE " + condition);
    }

    @Test
    void a_scheduled_purger_deletes_expired_rows_in_the_background() throws Exception {
        String table = database.uniqueTable("sched");
        try (JdbcDedupStore purging =
                onOwnTable(table).purgeEvery(Duration.ofMillis(100), 4).build()) {
            for (int i = 0; i < 10; i++) {
                Claim claim = ((ClaimResult.Acquired) purging.claim(ClaimRequest.of(key("k" + i), LONG, LONG))).claim();
                purging.release(claim.key(), claim.token(), Duration.ofMillis(200));
            }
            purging.claim(ClaimRequest.of(key("kept"), LONG, LONG));
            await().atMost(Duration.ofSeconds(20)).until(() -> database.count("SELECT COUNT(*) FROM " + table) == 1);
            assertThat(purging.find(key("kept"))).isPresent();
        }
    }

    @Test
    void a_claim_waiting_on_a_row_lock_past_the_lock_timeout_is_unavailable_not_a_hang() throws Exception {
        DedupKey locked = key("locked");
        Claim claim = acquire(ClaimRequest.of(locked, Duration.ofMillis(1), LONG));
        try (Connection holder = database.dataSource.getConnection()) {
            holder.setAutoCommit(false);
            lockRow(holder, locked);
            CompletableFuture<ClaimResult> waiting =
                    CompletableFuture.supplyAsync(() -> store.claim(ClaimRequest.of(locked, LONG, LONG)));
            assertThatThrownBy(() -> waiting.get(30, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(DedupStoreUnavailableException.class)
                    .cause()
                    .hasMessageContaining("timed out");
            try (StoreTransaction tx = store.begin()) {
                assertThatThrownBy(() -> tx.claimAll(List.of(ClaimRequest.of(locked, LONG, LONG))))
                        .isInstanceOf(DedupStoreUnavailableException.class);
                assertThatThrownBy(tx::commit).isInstanceOf(DedupStoreUnavailableException.class);
            }
            holder.rollback();
        }
        assertThat(store.claim(ClaimRequest.of(locked, LONG, LONG))).isInstanceOf(ClaimResult.Acquired.class);
        assertThat(claim.token()).isPositive();
    }

    private void lockRow(Connection holder, DedupKey key) throws SQLException {
        try (PreparedStatement ps = holder.prepareStatement(
                "SELECT token FROM " + database.table + " WHERE namespace = ? AND idem_key = ? FOR UPDATE")) {
            if (dialect() == JdbcDialect.POSTGRESQL) {
                ps.setString(1, key.namespace());
                ps.setString(2, key.id());
            } else {
                ps.setBytes(1, StoredText.utf8(key.namespace()));
                ps.setBytes(2, StoredText.utf8(key.id()));
            }
            try (var rs = ps.executeQuery()) {
                assertThat(rs.next()).as("row to lock").isTrue();
            }
        }
    }

    @Test
    void a_lost_connection_is_unavailable_and_the_next_call_works_again() throws Exception {
        try (SingleConnectionDataSource single = new SingleConnectionDataSource(database.endpoint);
                JdbcDedupStore onOne = JdbcDedupStore.builder(single.dataSource())
                        .dialect(dialect())
                        .table(database.table)
                        .build()) {
            assertThat(onOne.claim(ClaimRequest.of(key("before"), LONG, LONG)))
                    .isInstanceOf(ClaimResult.Acquired.class);
            try (Connection other = database.dataSource.getConnection();
                    Statement statement = other.createStatement()) {
                statement.execute(
                        dialect() == JdbcDialect.POSTGRESQL
                                ? "SELECT pg_terminate_backend(" + single.serverId() + ")"
                                : "KILL CONNECTION " + single.serverId());
            }
            assertThatThrownBy(() -> onOne.claim(ClaimRequest.of(key("during"), LONG, LONG)))
                    .isInstanceOf(DedupStoreUnavailableException.class)
                    .hasMessageContaining("could not claim");
            single.reconnect();
            assertThat(onOne.claim(ClaimRequest.of(key("during"), LONG, LONG)))
                    .isInstanceOf(ClaimResult.Acquired.class);
        }
    }

    @Test
    void a_database_that_is_down_is_unavailable_for_every_operation() {
        DriverManagerDataSource nowhere = new DriverManagerDataSource(
                database.endpoint.jdbcUrl().replace(":" + database.endpoint.port() + "/", ":1/"), "nobody", "secret");
        JdbcDedupStore down = JdbcDedupStore.builder(nowhere)
                .dialect(dialect())
                .table("anything")
                .build();
        DedupKey k = key("k");
        assertThatThrownBy(() -> down.claim(ClaimRequest.of(k, LONG, LONG)))
                .isInstanceOf(DedupStoreUnavailableException.class)
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> down.claimAll(List.of(ClaimRequest.of(k, LONG, LONG))))
                .isInstanceOf(DedupStoreUnavailableException.class);
        assertThatThrownBy(() -> down.complete(new Completion(k, 1, OutcomeStatus.SUCCEEDED, new byte[0], LONG)))
                .isInstanceOf(DedupStoreUnavailableException.class);
        assertThatThrownBy(() -> down.renew(k, 1, LONG)).isInstanceOf(DedupStoreUnavailableException.class);
        assertThatThrownBy(() -> down.release(k, 1, LONG)).isInstanceOf(DedupStoreUnavailableException.class);
        assertThatThrownBy(() -> down.find(k)).isInstanceOf(DedupStoreUnavailableException.class);
        assertThatThrownBy(() -> down.purgeExpired(10)).isInstanceOf(DedupStoreUnavailableException.class);
        assertThatThrownBy(down::begin).isInstanceOf(DedupStoreUnavailableException.class);
        assertThatThrownBy(() -> JdbcDedupStore.builder(nowhere).build())
                .as("detecting the dialect needs the database")
                .isInstanceOf(DedupStoreUnavailableException.class);
    }

    @Test
    void a_missing_table_is_unavailable_with_a_hint() {
        JdbcDedupStore noTable = JdbcDedupStore.builder(database.dataSource)
                .table(database.uniqueTable("missing"))
                .build();
        assertThatThrownBy(() -> noTable.claim(ClaimRequest.of(key("k"), LONG, LONG)))
                .isInstanceOf(DedupStoreUnavailableException.class)
                .hasMessageContaining("table is missing");
    }

    @Test
    void keys_differing_only_in_case_or_trailing_spaces_are_distinct() {
        List<String> ids = List.of("Key", "key", "KEY", "key ", "key  ", "kéy", "ke\u0301y");
        for (String id : ids) {
            assertThat(store.claim(ClaimRequest.of(key(id), LONG, LONG)))
                    .as("'%s'", id)
                    .isInstanceOf(ClaimResult.Acquired.class);
        }
    }

    @Test
    void fingerprints_are_compared_exactly() {
        DedupKey k = key("fp");
        acquire(new ClaimRequest(k, LONG, LONG, java.util.Optional.of("abc")));
        assertThat(store.claim(new ClaimRequest(k, LONG, LONG, java.util.Optional.of("ABC"))))
                .isInstanceOf(ClaimResult.Conflict.class);
        assertThat(store.claim(new ClaimRequest(k, LONG, LONG, java.util.Optional.of("abc "))))
                .isInstanceOf(ClaimResult.Conflict.class);
    }

    @Test
    void a_batch_larger_than_one_statement_answers_every_key_in_order() {
        List<ClaimRequest> requests = new ArrayList<>();
        for (int i = 0; i < 2_345; i++) {
            requests.add(ClaimRequest.of(key("big-" + (i % 2_300)), LONG, LONG));
        }
        List<ClaimResult> results = store.claimAll(requests);
        assertThat(results).hasSize(2_345);
        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i).key()).isEqualTo(requests.get(i).key());
            assertThat(results.get(i))
                    .isInstanceOf(i < 2_300 ? ClaimResult.Acquired.class : ClaimResult.InProgress.class);
        }
        List<Completion> completions = new ArrayList<>();
        for (int i = 0; i < 2_300; i++) {
            Claim claim = ((ClaimResult.Acquired) results.get(i)).claim();
            completions.add(new Completion(claim.key(), claim.token(), OutcomeStatus.SUCCEEDED, new byte[] {1}, LONG));
        }
        completions.add(completions.get(0));
        List<WriteResult> written = store.completeAll(completions);
        assertThat(written.subList(0, 2_300)).containsOnly(WriteResult.APPLIED);
        assertThat(written.get(2_300)).as("the same completion twice").isEqualTo(WriteResult.FENCED);
    }

    @Test
    void tokens_keep_rising_after_a_released_row_expired_and_was_purged() {
        DedupKey k = key("phoenix");
        Claim first = acquire(ClaimRequest.of(k, LONG, LONG));
        store.release(k, first.token(), Duration.ofMillis(200));
        await().atMost(Duration.ofSeconds(20)).until(() -> store.find(k).isEmpty());
        while (store.purgeExpired(1000) == 1000) {
            // drain
        }
        Claim reborn = acquire(ClaimRequest.of(k, LONG, LONG));
        assertThat(reborn.token()).isGreaterThan(first.token());
        assertThat(reborn.attempt()).isEqualTo(1);
        assertThat(store.complete(new Completion(k, first.token(), OutcomeStatus.SUCCEEDED, new byte[0], LONG)))
                .isEqualTo(WriteResult.FENCED);
    }

    @Test
    void the_schema_ddl_is_available_for_migration_tools() {
        String ddl = JdbcDedupStore.schema(dialect(), "ops.my_keys");
        assertThat(ddl)
                .contains("CREATE TABLE IF NOT EXISTS ops.my_keys (")
                .contains("ops.my_keys_positions")
                .contains("my_keys_expires_idx")
                .doesNotContain("${");
    }
}
