package io.dedup.kafka;

import static io.dedup.kafka.Records.raw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.DedupKey;
import io.dedup.kafka.MockRunners.Started;
import io.dedup.spi.RecordState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Kafka-to-database mode finishes what it started: a runner closed, or a partition revoked, in the middle of a
 * batch commits the handlers that ran (once) and gives back the records it did not start, which the next consumer
 * runs. Nothing that ran runs again. Also: a handler Error leaves no transaction open and no key held.
 */
class StoreTransactionCloseTest {
    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);

    private final FakeTransactionalStore store = new FakeTransactionalStore();
    private final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    private final List<KafkaDedupRunner<?, ?>> runners = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        runners.forEach(KafkaDedupRunner::close);
    }

    private Started start(TransactionalRecordHandler<String, String> handler, List<TopicPartition> assigned) {
        Started started = MockRunners.startTransactional(
                new MockConsumer<>("earliest"),
                MockRunners.dedup(store, 3, Duration.ofMillis(20), dead -> {}),
                Duration.ofMillis(20),
                handler,
                assigned);
        runners.add(started.runner());
        return started;
    }

    private void ran(ConsumerRecord<String, String> record, RecordTransaction tx) {
        runs.computeIfAbsent(record.value(), v -> new AtomicInteger()).incrementAndGet();
        tx.resource(FakeTransactionalStore.Ledger.class).write(record.value());
    }

    private void assertEachRanOnce(String... values) {
        assertThat(runs.keySet()).containsExactlyInAnyOrder(values);
        assertThat(runs)
                .allSatisfy((value, count) -> assertThat(count.get()).as(value).isOne());
    }

    @Test
    void a_runner_closed_mid_batch_commits_what_ran_and_the_next_consumer_runs_only_the_rest() throws Exception {
        AtomicReference<KafkaDedupRunner<String, String>> self = new AtomicReference<>();
        Started first = start(
                (record, tx) -> {
                    ran(record, tx);
                    if (record.value().equals("b")) {
                        self.get().close(); // a SIGTERM arriving while b runs
                    }
                },
                List.of(P0, P1));
        self.set(first.runner());
        var log = List.of(
                raw("orders", 0, 0, "a", "a"),
                raw("orders", 0, 1, "b", "b"),
                raw("orders", 0, 2, "c", "c"),
                raw("orders", 1, 0, "d", "d"));
        first.feed(log);
        Thread loop = first.runner().start();
        loop.join(10_000);
        assertThat(loop.isAlive()).isFalse();
        assertThat(store.ledger()).containsExactly("a", "b"); // what ran is committed, not rolled back
        assertThat(store.positions("g", "orders")).isEqualTo(Map.of(0, 2L));
        assertThat(store.state(DedupKey.of("g", "c"))).isNotEqualTo(RecordState.IN_PROGRESS);
        assertThat(store.inTransaction()).isFalse();

        Started second = start(this::ran, List.of(P0, P1));
        assertThat(second.consumer().position(P0)).isEqualTo(2);
        second.feed(log);
        second.runner().pollOnce();
        assertThat(store.ledger()).containsExactlyInAnyOrder("a", "b", "c", "d");
        assertEachRanOnce("a", "b", "c", "d");
    }

    @Test
    void a_partition_revoked_mid_batch_commits_what_ran_and_its_next_owner_runs_only_the_rest() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        Started first = start(
                (record, tx) -> {
                    ran(record, tx);
                    if (record.value().equals("slow")) {
                        inHandler.countDown();
                        proceed.await();
                    }
                },
                List.of(P0, P1));
        var log = List.of(
                raw("orders", 0, 0, "s", "slow"),
                raw("orders", 0, 1, "n", "not started"),
                raw("orders", 1, 0, "x", "x"));
        first.feed(log);
        Thread loop = new Thread(first.runner()::pollOnce);
        loop.start();
        assertThat(inHandler.await(5, TimeUnit.SECONDS)).isTrue();
        KafkaDedupRunner<?, ?> runner = first.runner();
        first.consumer().schedulePollTask(() -> {
            Thread release = new Thread(() -> {
                await().atMost(Duration.ofSeconds(5)).until(() -> runner.isRevoking(P0));
                proceed.countDown(); // the slow handler returns once P0 is being revoked
            });
            release.start();
            first.consumer().rebalance(List.of(P1)); // waits in onPartitionsRevoked for the batch
        });
        loop.join(10_000);
        assertThat(loop.isAlive()).isFalse();
        assertThat(store.ledger()).containsExactlyInAnyOrder("slow", "x");
        assertThat(store.positions("g", "orders")).isEqualTo(Map.of(0, 1L, 1, 1L));
        assertThat(store.inTransaction()).isFalse();

        Started next = start(this::ran, List.of(P0)); // P0's next owner
        assertThat(next.consumer().position(P0)).isEqualTo(1);
        next.feed(log);
        next.runner().pollOnce();
        assertThat(store.ledger()).containsExactlyInAnyOrder("slow", "x", "not started");
        assertEachRanOnce("slow", "x", "not started");
    }

    @Test
    void a_handler_error_rolls_back_its_transaction_releases_nothing_held_and_the_record_is_retried() {
        AtomicInteger errors = new AtomicInteger();
        Started s = start(
                (record, tx) -> {
                    ran(record, tx);
                    if (record.value().equals("boom") && errors.getAndIncrement() == 0) {
                        throw new AssertionError("a handler Error after writing");
                    }
                },
                List.of(P0, P1));
        var log = List.of(
                raw("orders", 0, 0, "a", "a"), raw("orders", 0, 1, "boom", "boom"), raw("orders", 1, 0, "c", "c"));
        s.feed(log);
        s.runner().pollOnce();
        assertThat(store.inTransaction()).isFalse(); // rolled back and closed: no connection held
        assertThat(store.ledger()).containsExactly("a"); // the Error's writes were rolled back
        assertThat(store.state(DedupKey.of("g", "boom"))).isNotEqualTo(RecordState.IN_PROGRESS);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (store.ledger().size() < 3 && System.nanoTime() < deadline) {
            s.feed(log);
            s.runner().pollOnce(); // the same runner goes on: its handler thread survived
        }
        assertThat(store.ledger()).containsExactlyInAnyOrder("a", "boom", "c"); // each effect once
        assertThat(runs.get("boom")).hasValue(2);
        assertThat(store.inTransaction()).isFalse();
    }
}
