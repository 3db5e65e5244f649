package io.dedup.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.ClaimedBatch;
import io.dedup.DedupConsumer;
import io.dedup.DedupSettings;
import io.dedup.OutcomeCodecs;
import io.dedup.spi.DedupStore;
import io.dedup.spi.StoreTransaction;
import io.dedup.spi.TransactionalStore;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Against the real PostgreSQL: what the {@code dedup-jdbc-tx} arm relies on. Its timed store lets the runner see
 * the JDBC store's transactions (and only its store does), follows a store transaction as the harness follows the
 * leased calls, but only once it commits; the handler's row commits or rolls back with the keys; its insert on the
 * store's connection is counted there, and exactly as often as the handler reports, so the harness can take it
 * off the store calls; and the harness's check catches runs whose rows did not commit.
 */
class TransactionalArmTest extends LocalBenchServices {
    private final DedupStoreSetup setup = DedupStoreSetup.jdbc();
    private ArmRun run;
    private String effects;
    private DedupStore store;

    @BeforeEach
    void createStoreAndEffectsTable() throws Exception {
        run = newRun(6);
        effects = "bench_effects_" + run.runId();
        services.execute("CREATE TABLE " + effects + " (k VARCHAR(100) NOT NULL, payload TEXT NOT NULL)");
        store = setup.create(run);
    }

    @AfterEach
    void dropThem() throws Exception {
        try {
            store.close();
        } finally {
            setup.cleanUp(run, store);
            services.dropTable(effects);
        }
    }

    @Test
    void only_the_transactional_arms_timed_store_passes_the_stores_transactions_through() {
        assertThat(store.capability(TransactionalStore.class)).isPresent();
        // the other arms measure the leased mode: their runner must not find transactions to choose
        assertThat(new TimedDedupStore(store, run).capability(TransactionalStore.class))
                .isEmpty();
        assertThat(TimedDedupStore.withTransactions(store, run.storeTimings(), run.progress())
                        .capability(TransactionalStore.class))
                .isPresent();
    }

    @Test
    void a_store_transaction_counts_only_once_it_committed_and_the_handlers_rows_commit_with_its_keys()
            throws Exception {
        TimedDedupStore timed = TimedDedupStore.withTransactions(store, run.storeTimings(), run.progress());
        TransactionalStore transactions =
                timed.capability(TransactionalStore.class).orElseThrow();
        Progress progress = run.progress();
        StoreTimings timings = run.storeTimings();
        Workload workload = new Workload(Workload.Duplicates.NONE, Workload.HandlerKind.POSTGRES_ROW, 3);
        try (BenchHandler handler = BenchHandler.insertingInto(services, effects, 16);
                InBatchRepeats repeats = new InBatchRepeats(timed, progress);
                DedupConsumer<String> dedup = DedupConsumer.<String>builder(message -> Optional.of(message))
                        .store(timed)
                        .settings(DedupSettings.custom().leaseRenewalFraction(0).build())
                        .meterRegistry(repeats.registry())
                        .build()) {
            // rolled back: the rows, the keys and the progress vanish alike, and no message is charged
            assertThat(inTransaction(dedup, transactions, handler, List.of("a", "b"), false))
                    .containsExactly(1L, 1L);
            assertThat(progress.deliveredCount()).isZero();
            assertThat(timings.perMessage().count()).isZero();
            assertThat(services.rowCount(effects)).isZero();

            // committed: a and b ran, the repeat of a is core's duplicate (counted by InBatchRepeats); each insert
            // was one round trip on the store's counted connection, as many as the handler says it made
            long insertsBefore = handler.insertsOnGivenConnections();
            assertThat(inTransaction(dedup, transactions, handler, List.of("a", "b", "a"), true))
                    .containsExactly(1L, 1L);
            assertThat(handler.insertsOnGivenConnections() - insertsBefore).isEqualTo(2);
            assertThat(progress.deliveredCount()).isEqualTo(3);
            assertThat(timings.perMessage().count()).isEqualTo(2);
            assertThat(services.rowCount(effects)).isEqualTo(2);

            // rolled back again, with a duplicate the store answered: neither it nor d is done, d's row is gone
            assertThat(inTransaction(dedup, transactions, handler, List.of("a", "d"), false))
                    .containsExactly(1L);
            assertThat(progress.deliveredCount()).isEqualTo(3);
            assertThat(timings.perMessage().count()).isEqualTo(2);
            assertThat(services.rowCount(effects)).isEqualTo(2);

            // the store answers a and b as duplicates within the transaction; they are done when c's commit is
            assertThat(inTransaction(dedup, transactions, handler, List.of("a", "c", "b"), true))
                    .containsExactly(1L);
            assertThat(progress.deliveredCount()).isEqualTo(6);
            assertThat(timings.perMessage().count()).isEqualTo(5);
            assertThat(timings.perMessage().percentileMicros(0.5)).isPositive();
            assertThat(services.rowCount(effects)).isEqualTo(3);
            assertThat(progress.seconds()).isPositive();

            // the rolled-back runs are runs the harness must not pass: 6 runs for 4 keys, and 3 rows for 6 runs
            assertThat(handler.runs()).isEqualTo(6);
            assertThat(handler.distinctKeys()).isEqualTo(4);
            List<String> failures = new ArrayList<>();
            assertThat(ArmMeasurer.check(
                            DedupArm.jdbcTransactional(), handler, workload, services.rowCount(effects), failures))
                    .contains("WRONG");
            assertThat(failures)
                    .containsExactly(
                            "dedup-jdbc-tx on dup0-pg: handler ran 6 times for 4 distinct keys; expected 3 unique keys"
                                    + " in 3 records",
                            "dedup-jdbc-tx on dup0-pg: the effects table holds 3 rows for 6 handler runs");
        }
    }

    @Test
    void the_no_op_handler_only_counts_in_a_transaction() {
        BenchHandler handler = BenchHandler.noop(4);
        handler.handleIn(null, "a", "payload");
        handler.handleIn(null, "a", "payload");
        assertThat(handler.runs()).isEqualTo(2);
        assertThat(handler.distinctKeys()).isEqualTo(1);
        assertThat(handler.insertsOnGivenConnections()).isZero();
    }

    @Test
    void the_check_fails_a_run_whose_effects_table_lacks_rows_of_its_handler_runs() {
        Workload workload = new Workload(Workload.Duplicates.NONE, Workload.HandlerKind.POSTGRES_ROW, 3);
        BenchHandler handler = BenchHandler.noop(4);
        for (String key : List.of("a", "b", "c")) {
            handler.handle(key, "payload");
        }
        Arm arm = DedupArm.jdbcTransactional();
        List<String> failures = new ArrayList<>();

        assertThat(ArmMeasurer.check(arm, handler, workload, 3, failures)).isEmpty();
        // a no-op workload has no table to count (-1)
        assertThat(ArmMeasurer.check(arm, handler, workload, -1, failures)).isEmpty();
        assertThat(failures).isEmpty();

        // the runs were counted, but one row did not commit
        assertThat(ArmMeasurer.check(arm, handler, workload, 2, failures)).contains("WRONG");
        assertThat(failures)
                .containsExactly("dedup-jdbc-tx on dup0-pg: the effects table holds 2 rows for 3 handler runs");
    }

    /**
     * Claims {@code keys} in one store transaction, runs the handler for each acquired key through the
     * transaction's connection, and commits (or closes without committing: a rollback). Returns, per handler run,
     * the store round trips counted on the store's connections while it ran.
     */
    private static List<Long> inTransaction(
            DedupConsumer<String> dedup,
            TransactionalStore transactions,
            BenchHandler handler,
            List<String> keys,
            boolean commit)
            throws Exception {
        List<Long> counted = new ArrayList<>();
        try (StoreTransaction tx = transactions.begin();
                ClaimedBatch<String> batch = dedup.claimAll(keys, tx)) {
            Connection connection = tx.resource(Connection.class).orElseThrow();
            for (ClaimedBatch.Entry<String> entry : batch.entries()) {
                if (entry.mayRun()) {
                    assertThat(batch.run(
                                    entry,
                                    key -> {
                                        long before = services.storeRoundTrips(StoreKind.POSTGRES);
                                        handler.handleIn(connection, key, "payload-" + key);
                                        counted.add(services.storeRoundTrips(StoreKind.POSTGRES) - before);
                                        return null;
                                    },
                                    OutcomeCodecs.none(),
                                    true))
                            .isNull();
                }
            }
            if (commit) {
                batch.commit(() -> {});
            }
        }
        return counted;
    }
}
