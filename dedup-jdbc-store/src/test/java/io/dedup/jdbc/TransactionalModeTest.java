package io.dedup.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.DedupResult;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Position;
import io.dedup.spi.RecordState;
import io.dedup.spi.StoreTransaction;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The transactional exactly-once mode against a real database: effects commit once with their keys. */
abstract class TransactionalModeTest extends PerDatabaseStoreTest {
    /** A message: its idempotency key and whether its handler should fail. */
    record Message(String id, boolean poison) {
        static Message of(String id) {
            return new Message(id, false);
        }
    }

    private String ledger;
    private String ns;

    TransactionalModeTest(JdbcDialect dialect) {
        super(dialect, Duration.ofSeconds(5));
    }

    @BeforeEach
    void freshLedger() throws SQLException {
        ledger = database.createLedger();
        ns = "tx-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private TransactionalDedup.Builder<Message> dedup() {
        return TransactionalDedup.builder(store, (Message m) -> Optional.of(m.id()))
                .namespace(ns);
    }

    /** Inserts the message into the ledger through the transaction's connection; poison messages then throw. */
    private TransactionalHandler<Message> ledgerWriter() {
        return (message, tx) -> {
            insert(tx.connection(), message.id());
            if (message.poison()) {
                throw new IllegalStateException("poison " + message.id());
            }
        };
    }

    private void insert(Connection connection, String id) throws SQLException {
        try (PreparedStatement insert =
                connection.prepareStatement("INSERT INTO " + ledger + " (msg_key) VALUES (?)")) {
            insert.setString(1, id);
            insert.executeUpdate();
        }
    }

    private long ledgerRows() throws SQLException {
        return database.count("SELECT COUNT(*) FROM " + ledger);
    }

    @Test
    void eight_threads_delivering_each_of_1000_keys_three_times_leave_exactly_1000_effects() throws Exception {
        TransactionalDedup<Message> dedup = dedup().build();
        List<Message> deliveries = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 1000; i++) {
                deliveries.add(Message.of("payment-" + i));
            }
        }
        Collections.shuffle(deliveries, new Random(7));
        ConcurrentLinkedQueue<Message> queue = new ConcurrentLinkedQueue<>(deliveries);
        Map<String, AtomicInteger> kinds = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                workers.add(pool.submit(() -> {
                    start.await();
                    for (Message m; (m = queue.poll()) != null; ) {
                        DedupResult<Void> result = dedup.process(m, ledgerWriter());
                        kinds.computeIfAbsent(result.getClass().getSimpleName(), k -> new AtomicInteger())
                                .incrementAndGet();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> worker : workers) {
                worker.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(ledgerRows()).isEqualTo(1000);
        assertThat(database.count("SELECT COUNT(DISTINCT msg_key) FROM " + ledger))
                .isEqualTo(1000);
        assertThat(kinds.get("Processed")).hasValue(1000);
        assertThat(kinds.get("Duplicate")).hasValue(2000);
        assertThat(kinds.keySet()).containsOnly("Processed", "Duplicate");
    }

    @Test
    void concurrent_overlapping_batches_apply_each_effect_exactly_once() throws Exception {
        TransactionalDedup<Message> dedup = dedup().build();
        int keys = 300;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> workers = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                workers.add(pool.submit(() -> {
                    List<Message> mine = new ArrayList<>();
                    for (int i = 0; i < keys; i++) {
                        mine.add(Message.of("key-" + i));
                    }
                    Collections.shuffle(mine, new Random(seed));
                    start.await();
                    int processed = 0;
                    for (int from = 0; from < keys; from += 50) {
                        List<Message> batch = mine.subList(from, from + 50);
                        for (int tryNo = 0; !batch.isEmpty(); tryNo++) {
                            assertThat(tryNo)
                                    .as("retries of unavailable messages")
                                    .isLessThan(20);
                            List<DedupResult<Void>> results = dedup.processAll(batch, ledgerWriter());
                            List<Message> again = new ArrayList<>();
                            for (int i = 0; i < results.size(); i++) {
                                DedupResult<Void> r = results.get(i);
                                if (r instanceof DedupResult.Processed) {
                                    processed++;
                                } else if (!(r instanceof DedupResult.Duplicate)) {
                                    assertThat(r).isInstanceOf(DedupResult.Unavailable.class);
                                    again.add(batch.get(i));
                                }
                            }
                            batch = again;
                        }
                    }
                    return processed;
                }));
            }
            start.countDown();
            int processed = 0;
            for (Future<Integer> worker : workers) {
                processed += worker.get(120, TimeUnit.SECONDS);
            }
            assertThat(processed).isEqualTo(keys);
        } finally {
            pool.shutdownNow();
        }
        assertThat(ledgerRows()).isEqualTo(keys);
        assertThat(database.count("SELECT COUNT(DISTINCT msg_key) FROM " + ledger))
                .isEqualTo(keys);
    }

    @Test
    void a_throwing_handler_leaves_neither_effect_nor_claim_and_a_redelivery_runs_again() throws Exception {
        TransactionalDedup<Message> dedup = dedup().build();
        DedupResult<Void> failed = dedup.process(new Message("k1", true), ledgerWriter());
        assertThat(failed).isInstanceOf(DedupResult.Failed.class);
        assertThat(((DedupResult.Failed<Void>) failed).error()).hasMessage("poison k1");
        assertThat(ledgerRows()).isZero();
        assertThat(store.find(DedupKey.of(ns, "k1"))).isEmpty();

        DedupResult<Void> retried = dedup.process(Message.of("k1"), ledgerWriter());
        assertThat(retried).isInstanceOf(DedupResult.Processed.class);
        assertThat(((DedupResult.Processed<Void>) retried).claim().attempt()).isEqualTo(1);
        assertThat(ledgerRows()).isEqualTo(1);
        assertThat(dedup.process(Message.of("k1"), ledgerWriter())).isInstanceOf(DedupResult.Duplicate.class);
    }

    @Test
    void a_second_delivery_waits_for_the_first_transaction_and_ends_as_a_duplicate_with_its_outcome() throws Exception {
        TransactionalDedup<Message> dedup = dedup().build();
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<DedupResult<Void>> first = pool.submit(() -> dedup.process(Message.of("k"), (m, tx) -> {
                insert(tx.connection(), m.id());
                tx.outcome("receipt-1".getBytes(StandardCharsets.UTF_8));
                inside.countDown();
                assertThat(finish.await(60, TimeUnit.SECONDS)).isTrue();
            }));
            assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
            Future<DedupResult<Void>> second = pool.submit(() -> dedup.process(Message.of("k"), ledgerWriter()));
            await().atMost(Duration.ofSeconds(20)).until(() -> lockWaits() > 0);
            finish.countDown();
            assertThat(first.get(30, TimeUnit.SECONDS)).isInstanceOf(DedupResult.Processed.class);
            DedupResult<Void> duplicate = second.get(30, TimeUnit.SECONDS);
            assertThat(duplicate).isInstanceOf(DedupResult.Duplicate.class);
            assertThat(((DedupResult.Duplicate<Void>) duplicate).outcome().body())
                    .isEqualTo("receipt-1".getBytes(StandardCharsets.UTF_8));
        } finally {
            finish.countDown();
            pool.shutdownNow();
        }
        assertThat(ledgerRows()).isEqualTo(1);
    }

    private long lockWaits() throws SQLException {
        return dialect() == JdbcDialect.POSTGRESQL
                ? database.count("SELECT COUNT(*) FROM pg_locks WHERE NOT granted")
                : database.count("SELECT COUNT(*) FROM information_schema.innodb_trx WHERE trx_state = 'LOCK WAIT'");
    }

    @Test
    void a_batch_commits_once_and_a_failing_message_falls_back_to_one_transaction_each() throws Exception {
        TransactionalDedup<Message> dedup = dedup().build();
        List<DedupResult<Void>> first =
                dedup.processAll(List.of(Message.of("a"), Message.of("b"), Message.of("a")), ledgerWriter());
        assertThat(first.get(0)).isInstanceOf(DedupResult.Processed.class);
        assertThat(first.get(1)).isInstanceOf(DedupResult.Processed.class);
        assertThat(first.get(2)).as("repeat inside the batch").isInstanceOf(DedupResult.Duplicate.class);
        assertThat(ledgerRows()).isEqualTo(2);

        List<DedupResult<Void>> second = dedup.processAll(
                List.of(Message.of("b"), Message.of("c"), new Message("d", true), Message.of("e")), ledgerWriter());
        assertThat(second.get(0)).isInstanceOf(DedupResult.Duplicate.class);
        assertThat(second.get(1)).isInstanceOf(DedupResult.Processed.class);
        assertThat(second.get(2)).isInstanceOf(DedupResult.Failed.class);
        assertThat(second.get(3)).isInstanceOf(DedupResult.Processed.class);
        assertThat(database.count("SELECT COUNT(*) FROM " + ledger + " WHERE msg_key IN ('a', 'b', 'c', 'e')"))
                .isEqualTo(4);
        assertThat(ledgerRows()).isEqualTo(4);
        assertThat(store.find(DedupKey.of(ns, "d"))).isEmpty();
    }

    @Test
    void messages_without_a_key_are_rejected_and_nothing_is_written() throws Exception {
        TransactionalDedup<Message> dedup = TransactionalDedup.builder(store, (Message m) -> Optional.<String>empty())
                .namespace(ns)
                .build();
        assertThat(dedup.process(Message.of("x"), ledgerWriter())).isInstanceOf(DedupResult.Rejected.class);
        assertThat(dedup.processAll(List.of(Message.of("x")), ledgerWriter()))
                .singleElement()
                .isInstanceOf(DedupResult.Rejected.class);
        assertThat(ledgerRows()).isZero();
    }

    @Test
    void an_application_managed_transaction_commits_the_effect_and_the_key_together() throws Exception {
        PlainJdbcTransactions plainJdbc = new PlainJdbcTransactions();
        TransactionalDedup<Message> dedup = dedup().transactionRunner(plainJdbc).build();
        assertThat(dedup.process(Message.of("k"), ledgerWriter())).isInstanceOf(DedupResult.Processed.class);
        assertThat(dedup.process(Message.of("k"), ledgerWriter())).isInstanceOf(DedupResult.Duplicate.class);
        assertThat(dedup.process(new Message("p", true), ledgerWriter())).isInstanceOf(DedupResult.Failed.class);
        assertThat(plainJdbc.commits).hasValue(2);
        assertThat(plainJdbc.rollbacks).hasValue(1);
        assertThat(ledgerRows()).isEqualTo(1);
        assertThat(store.find(DedupKey.of(ns, "p"))).isEmpty();
        assertThat(dedup.processAll(List.of(Message.of("m"), Message.of("n")), ledgerWriter()))
                .allMatch(r -> r instanceof DedupResult.Processed);
        assertThat(ledgerRows()).isEqualTo(3);
    }

    @Test
    void joining_a_callers_transaction_rolls_back_to_its_savepoint_and_never_commits() throws Exception {
        DedupKey k = DedupKey.of(ns, "joined");
        Duration d = Duration.ofMinutes(5);
        try (Connection connection = database.dataSource.getConnection()) {
            connection.setAutoCommit(false);
            insert(connection, "before");
            try (StoreTransaction tx = store.begin(connection)) {
                assertThat(tx.claimAll(List.of(ClaimRequest.of(k, d, d))).get(0))
                        .isInstanceOf(ClaimResult.Acquired.class);
                insert(tx.resource(Connection.class).orElseThrow(), "inside");
                tx.rollback();
            }
            try (StoreTransaction tx = store.begin(connection)) {
                assertThat(tx.claimAll(List.of(ClaimRequest.of(k, d, d))).get(0))
                        .isInstanceOf(ClaimResult.Acquired.class);
                tx.commit();
            }
            assertThat(store.find(k)).as("not committed by the store").isEmpty();
            connection.commit();
        }
        assertThat(database.count("SELECT COUNT(*) FROM " + ledger + " WHERE msg_key = 'before'"))
                .isEqualTo(1);
        assertThat(database.count("SELECT COUNT(*) FROM " + ledger + " WHERE msg_key = 'inside'"))
                .isZero();
        assertThat(store.find(k)).isPresent();
        try (Connection connection = database.dataSource.getConnection()) {
            assertThatThrownBy(() -> store.begin(connection)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void a_handler_error_rolls_the_batch_back_leaves_no_key_nor_connection_held_and_is_rethrown_unchanged()
            throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TransactionalDedup<Message> dedup = dedup().meterRegistry(registry).build();
        AssertionError bug = new AssertionError("a bug in the handler");
        Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        TransactionalHandler<Message> handler = (message, tx) -> {
            runs.computeIfAbsent(message.id(), k -> new AtomicInteger()).incrementAndGet();
            insert(tx.connection(), message.id());
            if (message.poison()) {
                throw bug;
            }
        };

        assertThatThrownBy(() ->
                        dedup.processAll(List.of(Message.of("a"), new Message("b", true), Message.of("c")), handler))
                .isSameAs(bug);
        assertThat(runs.keySet()).as("c never started").containsOnly("a", "b");
        assertThat(ledgerRows())
                .as("the transaction was rolled back, a's write with it")
                .isZero();
        for (String id : List.of("a", "b", "c")) {
            assertThat(store.find(DedupKey.of(ns, id))).as("key %s", id).isEmpty();
        }
        assertThat(database.dataSource.getHikariPoolMXBean().getActiveConnections())
                .as("connections still borrowed")
                .isZero();
        assertThatThrownBy(() -> dedup.process(new Message("d", true), handler)).isSameAs(bug);
        assertThat(database.dataSource.getHikariPoolMXBean().getActiveConnections())
                .isZero();

        // No row lock or open transaction is left: the same keys are claimed and committed at once.
        List<DedupResult<Void>> again =
                dedup.processAll(List.of(Message.of("a"), Message.of("b"), Message.of("c"), Message.of("d")), handler);
        assertThat(again).allMatch(r -> r instanceof DedupResult.Processed);
        assertThat(ledgerRows()).isEqualTo(4);
        assertThat(database.count("SELECT COUNT(DISTINCT msg_key) FROM " + ledger))
                .isEqualTo(4);
        assertThat(messages(registry, "failed")).isEqualTo(2);
        assertThat(messages(registry, "released"))
                .as("a, rolled back with the batch, and c, never started")
                .isEqualTo(2);
        assertThat(messages(registry, "processed")).isEqualTo(4);
    }

    @Test
    void a_handler_error_in_an_application_managed_transaction_rolls_it_back_and_is_rethrown_unchanged()
            throws Exception {
        PlainJdbcTransactions runner = new PlainJdbcTransactions();
        TransactionalDedup<Message> dedup = dedup().transactionRunner(runner).build();
        StackOverflowError deep = new StackOverflowError("deep recursion");
        assertThatThrownBy(() -> dedup.process(Message.of("k"), (m, tx) -> {
                    insert(tx.connection(), m.id());
                    throw deep;
                }))
                .isSameAs(deep);
        assertThat(runner.rollbacks).hasValue(1);
        assertThat(ledgerRows()).isZero();
        assertThat(store.find(DedupKey.of(ns, "k"))).isEmpty();
        assertThat(database.dataSource.getHikariPoolMXBean().getActiveConnections())
                .isZero();
        assertThat(dedup.process(Message.of("k"), ledgerWriter())).isInstanceOf(DedupResult.Processed.class);
        assertThat(ledgerRows()).isEqualTo(1);
    }

    /**
     * An application's own transactions on plain JDBC, as Spring's TransactionTemplate runs them: commit when the work
     * returns, roll back and rethrow when it throws anything, {@link Error}s included; counts both.
     */
    private final class PlainJdbcTransactions implements TransactionRunner {
        final AtomicInteger commits = new AtomicInteger();
        final AtomicInteger rollbacks = new AtomicInteger();

        @Override
        public void inTransaction(Work work) throws Exception {
            try (Connection connection = database.dataSource.getConnection()) {
                connection.setAutoCommit(false);
                try {
                    work.run(connection);
                    connection.commit();
                    commits.incrementAndGet();
                } catch (Throwable e) {
                    connection.rollback();
                    rollbacks.incrementAndGet();
                    throw e;
                }
            }
        }
    }

    private long messages(SimpleMeterRegistry registry, String result) {
        return (long) registry.find("dedup.messages").tags("namespace", ns, "result", result).counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    @Test
    void release_all_in_a_transaction_gives_keys_back_keeping_their_tokens_and_refuses_stale_tokens() {
        Duration d = Duration.ofMinutes(5);
        DedupKey a = DedupKey.of(ns, "release-a");
        DedupKey b = DedupKey.of(ns, "release-b");
        Claim claimA;
        Claim claimB;
        try (StoreTransaction tx = store.begin()) {
            List<ClaimResult> claimed = tx.claimAll(List.of(ClaimRequest.of(a, d, d), ClaimRequest.of(b, d, d)));
            claimA = ((ClaimResult.Acquired) claimed.get(0)).claim();
            claimB = ((ClaimResult.Acquired) claimed.get(1)).claim();
            tx.commit();
        }
        try (StoreTransaction tx = store.begin()) {
            Claim stale = new Claim(b, claimB.token() - 1, claimB.attempt(), claimB.leaseUntil());
            assertThat(tx.releaseAll(List.of(claimA, stale), d))
                    .containsExactly(WriteResult.APPLIED, WriteResult.FENCED);
            tx.rollback();
        }
        assertThat(store.find(a).orElseThrow().state())
                .as("a rolled-back release")
                .isEqualTo(RecordState.IN_PROGRESS);
        try (StoreTransaction tx = store.begin()) {
            assertThat(tx.releaseAll(List.of(claimA, claimB), d))
                    .containsExactly(WriteResult.APPLIED, WriteResult.APPLIED);
            assertThat(tx.releaseAll(List.of(), d)).isEmpty();
            tx.commit();
        }
        for (Claim claim : List.of(claimA, claimB)) {
            StoredRecord record = store.find(claim.key()).orElseThrow();
            assertThat(record.state()).isEqualTo(RecordState.RELEASED);
            assertThat(record.token()).as("the token is kept").isEqualTo(claim.token());
        }
        try (StoreTransaction tx = store.begin()) {
            ClaimResult again = tx.claimAll(List.of(ClaimRequest.of(a, d, d))).get(0);
            assertThat(((ClaimResult.Acquired) again).claim().token()).isGreaterThan(claimA.token());
            assertThat(tx.releaseAll(List.of(claimA), d))
                    .as("the old holder's token, after a new claim")
                    .containsExactly(WriteResult.FENCED);
            tx.commit();
        }
    }

    @Test
    void positions_commit_with_the_transaction_and_the_last_one_saved_wins() {
        try (StoreTransaction tx = store.begin()) {
            tx.savePositions(
                    ns,
                    List.of(
                            new Position("orders", 0, 10),
                            new Position("orders", 1, 5),
                            new Position("orders", 0, 12)));
            assertThat(tx.positions(ns, "orders")).isEqualTo(Map.of(0, 12L, 1, 5L));
            tx.commit();
        }
        try (StoreTransaction tx = store.begin()) {
            tx.savePositions(ns, List.of(new Position("orders", 0, 99)));
            tx.rollback();
        }
        try (StoreTransaction tx = store.begin()) {
            assertThat(tx.positions(ns, "orders")).isEqualTo(Map.of(0, 12L, 1, 5L));
            assertThat(tx.positions(ns, "other")).isEmpty();
            assertThat(tx.positions(ns + "-x", "orders")).isEmpty();
        }
    }

    @Test
    void the_handlers_connection_refuses_to_commit_roll_back_or_close() {
        TransactionalDedup<Message> dedup = dedup().build();
        List<Class<?>> refusals = new ArrayList<>();
        DedupResult<Void> result = dedup.process(Message.of("k"), (m, tx) -> {
            for (Runnable misuse : List.<Runnable>of(
                    () -> call(() -> tx.connection().commit()),
                    () -> call(() -> tx.connection().rollback()),
                    () -> call(() -> tx.connection().close()),
                    () -> call(() -> tx.connection().setAutoCommit(true)))) {
                try {
                    misuse.run();
                } catch (IllegalStateException e) {
                    refusals.add(e.getClass());
                }
            }
            insert(tx.connection(), m.id());
        });
        assertThat(refusals).hasSize(4);
        assertThat(result).isInstanceOf(DedupResult.Processed.class);
    }

    private interface SqlCall {
        void run() throws SQLException;
    }

    private static void call(SqlCall call) {
        try {
            call.run();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void a_transaction_used_after_a_failure_stays_unavailable() {
        try (StoreTransaction tx = store.begin()) {
            Connection connection = tx.resource(Connection.class).orElseThrow();
            assertThatThrownBy(() -> connection.createStatement().execute("SELECT * FROM no_such_table_here"))
                    .isInstanceOf(SQLException.class);
            if (dialect() == JdbcDialect.POSTGRESQL) {
                // PostgreSQL aborted the transaction: the next statement fails and rolls it back.
                assertThatThrownBy(() -> tx.claimAll(List.of(
                                ClaimRequest.of(DedupKey.of(ns, "k"), Duration.ofMinutes(1), Duration.ofMinutes(1)))))
                        .isInstanceOf(DedupStoreUnavailableException.class);
                assertThatThrownBy(tx::commit).isInstanceOf(DedupStoreUnavailableException.class);
            }
        }
    }
}
