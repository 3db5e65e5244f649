package io.dedup.kafka;

import static io.dedup.kafka.Records.raw;
import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.DeadLetterReason;
import io.dedup.DedupKey;
import io.dedup.kafka.MockRunners.Started;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Kafka-to-database mode over a test-only in-memory {@link FakeTransactionalStore}, driven through Kafka's
 * MockConsumer. The integration test with PostgreSQL comes with the JDBC store.
 */
class StoreTransactionModeTest {
    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);

    private final FakeTransactionalStore store = new FakeTransactionalStore();
    private final List<DeadLetter> published = new CopyOnWriteArrayList<>();
    private final List<KafkaDedupRunner<?, ?>> runners = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        runners.forEach(KafkaDedupRunner::close);
    }

    private Started start(TransactionalRecordHandler<String, String> handler) {
        Started started = MockRunners.startTransactional(
                new MockConsumer<>(org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST), // 3.x and 4.x
                MockRunners.dedup(store, 2, Duration.ofMillis(30), published::addAll),
                Duration.ofMillis(30),
                handler,
                List.of(P0, P1));
        runners.add(started.runner());
        return started;
    }

    private static TransactionalRecordHandler<String, String> writing() {
        return (record, tx) -> tx.resource(FakeTransactionalStore.Ledger.class).write(record.value());
    }

    /**
     * Polls until {@code done}, feeding the consumer from {@code log} as a broker would after seeks: MockConsumer
     * forgets records once it returned them.
     */
    private static void pollUntil(
            Started s,
            List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> log,
            BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        do {
            s.feed(log);
            s.runner().pollOnce();
        } while (!done.getAsBoolean() && System.nanoTime() < deadline);
    }

    @Test
    void writes_keys_and_offsets_commit_in_one_transaction_and_a_restart_resumes_from_the_stored_offsets() {
        Started first = start(writing());
        first.consumer().addRecord(raw("orders", 0, 0, "a", "a"));
        first.consumer().addRecord(raw("orders", 0, 1, "b", "b"));
        first.consumer().addRecord(raw("orders", 0, 2, "a", "a-duplicate-in-batch"));
        first.consumer().addRecord(raw("orders", 1, 0, "b", "b-duplicate-on-p1"));
        first.runner().pollOnce();
        assertThat(store.ledger()).containsExactly("a", "b");
        assertThat(store.positions("g", "orders")).isEqualTo(Map.of(0, 3L, 1, 1L));
        assertThat(store.commits).isEqualTo(1); // one transaction for the poll
        // Kafka's offsets follow asynchronously, for lag only
        assertThat(first.consumer().committed(Set.of(P0, P1)).get(P0).offset()).isEqualTo(3);
        first.runner().close();

        // A new consumer starts from the offsets in the store, not from Kafka's (reset to 0 here).
        Started second = start(writing());
        assertThat(second.consumer().position(P0)).isEqualTo(3);
        assertThat(second.consumer().position(P1)).isEqualTo(1);
        for (long offset = 0; offset < 3; offset++) {
            second.consumer().addRecord(raw("orders", 0, offset, "x" + offset, "must not run"));
        }
        second.consumer().addRecord(raw("orders", 0, 3, "c", "c"));
        second.consumer().addRecord(raw("orders", 1, 1, "a", "a-redelivered-elsewhere"));
        second.runner().pollOnce();
        assertThat(store.ledger()).containsExactly("a", "b", "c");
        assertThat(store.positions("g", "orders")).isEqualTo(Map.of(0, 4L, 1, 2L));
    }

    @Test
    void a_failing_handler_rolls_back_and_the_records_before_it_commit_alone() {
        AtomicInteger failures = new AtomicInteger();
        Started s = start((record, tx) -> {
            tx.resource(FakeTransactionalStore.Ledger.class).write(record.value());
            if (record.value().equals("flaky") && failures.getAndIncrement() == 0) {
                throw new IllegalStateException("fails after writing");
            }
        });
        var log = List.of(
                raw("orders", 0, 0, "a", "a"),
                raw("orders", 0, 1, "f", "flaky"),
                raw("orders", 0, 2, "c", "c"),
                raw("orders", 1, 0, "d", "d"));
        s.feed(log);
        s.runner().pollOnce();
        assertThat(store.ledger()).containsExactly("a"); // the flaky write was rolled back
        assertThat(store.positions("g", "orders")).isEqualTo(Map.of(0, 1L));
        assertThat(s.consumer().position(P0)).isEqualTo(1);
        assertThat(s.consumer().position(P1)).isZero();

        pollUntil(s, log, () -> store.ledger().size() == 4);
        assertThat(store.ledger()).containsExactlyInAnyOrder("a", "flaky", "c", "d");
        assertThat(store.positions("g", "orders")).isEqualTo(Map.of(0, 3L, 1, 1L));
    }

    @Test
    void bad_input_and_exhausted_retries_are_dead_lettered_before_the_offset_moves_past_them() {
        Started s = start((record, tx) -> {
            if (record.value().equals("poison")) {
                throw new IllegalArgumentException("poison");
            }
            tx.resource(FakeTransactionalStore.Ledger.class).write(record.value());
        });
        var log = List.of(
                raw("orders", 0, 0, null, "no key"),
                raw("orders", 0, 1, "p", "poison"),
                raw("orders", 0, 2, "ok", "ok"));
        s.feed(log);
        s.runner().pollOnce();
        assertThat(published).extracting(DeadLetter::reason).containsExactly(DeadLetterReason.KEY_MISSING);
        assertThat(store.positions("g", "orders")).isEqualTo(Map.of(0, 1L));

        pollUntil(s, log, () -> store.ledger().contains("ok"));
        assertThat(published)
                .extracting(DeadLetter::reason)
                .containsExactly(DeadLetterReason.KEY_MISSING, DeadLetterReason.HANDLER_FAILED);
        assertThat(published.get(1).attempts()).isEqualTo(2);
        assertThat(store.ledger()).containsExactly("ok");
        assertThat(store.positions("g", "orders")).isEqualTo(Map.of(0, 3L));
    }

    @Test
    void a_store_outage_pauses_everything_and_writes_nothing() {
        Started s = start(writing());
        store.down(true);
        var log = List.of(raw("orders", 0, 0, "a", "a"), raw("orders", 1, 0, "b", "b"));
        s.feed(log);
        s.runner().pollOnce();
        assertThat(s.consumer().paused()).containsExactlyInAnyOrder(P0, P1);
        assertThat(store.ledger()).isEmpty();

        store.down(false);
        pollUntil(s, log, () -> store.ledger().size() == 2);
        assertThat(store.ledger()).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void a_key_another_consumer_completed_is_a_duplicate_within_the_transaction() {
        store.completed(DedupKey.of("g", "done-elsewhere"));
        Started s = start(writing());
        s.consumer().addRecord(raw("orders", 0, 0, "done-elsewhere", "must not run"));
        s.consumer().addRecord(raw("orders", 0, 1, "new", "new"));
        s.runner().pollOnce();
        assertThat(store.ledger()).containsExactly("new");
        assertThat(store.positions("g", "orders")).isEqualTo(Map.of(0, 2L));
    }
}
