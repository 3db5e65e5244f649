package io.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.RecordState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The batch API, the one claim path: what is kept, released and rethrown when a batch ends in every way. */
class ClaimedBatchTest {
    private final MutableTestClock clock = new MutableTestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final TestStore store =
            new TestStore(InMemoryDedupStore.builder().clock(clock).build());
    private final List<String> ran = Collections.synchronizedList(new ArrayList<>());
    private final List<DedupConsumer<Msg>> consumers = new ArrayList<>();

    private DedupConsumer<Msg> consumer(TestStore on, Duration lease, double renewFraction) {
        return closedAfter(builder(on, DedupSettings.custom().lease(lease).leaseRenewalFraction(renewFraction)));
    }

    private DedupConsumer<Msg> consumer() {
        return consumer(store, Duration.ofSeconds(30), 0);
    }

    /** A consumer with the default renewal, publishing its metrics to {@code registry}. */
    private DedupConsumer<Msg> metered(TestStore on, Duration lease, SimpleMeterRegistry registry) {
        return closedAfter(builder(on, DedupSettings.custom().lease(lease)).meterRegistry(registry));
    }

    private static DedupConsumerBuilder<Msg> builder(TestStore on, DedupSettings.Builder settings) {
        return DedupConsumer.builder(Msg.KEY).store(on).namespace("orders").settings(settings.build());
    }

    private DedupConsumer<Msg> closedAfter(DedupConsumerBuilder<Msg> builder) {
        DedupConsumer<Msg> consumer = builder.build();
        consumers.add(consumer);
        return consumer;
    }

    /** Processes key "k" with a handler that notes {@code who} ran it. */
    private DedupResult<Void> processK(DedupConsumer<Msg> consumer, String who) {
        return consumer.process(Msg.of("k"), m -> {
            ran.add(who);
            return null;
        });
    }

    @AfterEach
    void close() {
        consumers.forEach(DedupConsumer::close);
    }

    private static List<Msg> msgs(String... keys) {
        List<Msg> list = new ArrayList<>();
        for (String key : keys) {
            list.add(Msg.of(key));
        }
        return list;
    }

    private RecordState state(String key) {
        return state(store, key);
    }

    private static RecordState state(TestStore on, String key) {
        return on.find(DedupKey.of("orders", key)).orElseThrow().state();
    }

    @Test
    void an_error_in_one_handler_keeps_the_work_of_the_handlers_that_finished_before_it() {
        DedupConsumer<Msg> dedup = consumer();
        AssertionError error = new AssertionError("handler bug");
        ResultHandler<Msg, Void> handler = m -> {
            ran.add(m.key());
            if (m.key().equals("B")) {
                throw error;
            }
            return null;
        };
        assertThatThrownBy(() -> dedup.processAll(msgs("A", "B", "C"), handler)).isSameAs(error);
        assertThat(state("A")).isEqualTo(RecordState.COMPLETED);
        assertThat(state("B")).isEqualTo(RecordState.RELEASED);
        assertThat(state("C")).isEqualTo(RecordState.RELEASED);

        clock.advance(Duration.ofMinutes(10)); // past any lease: A must be a duplicate, not run again
        List<DedupResult<Void>> again = dedup.processAll(msgs("A", "B", "C"), m -> {
            ran.add(m.key());
            return null;
        });
        assertThat(again.get(0)).isInstanceOf(DedupResult.Duplicate.class);
        assertThat(again.get(1)).isInstanceOf(DedupResult.Processed.class);
        assertThat(again.get(2)).isInstanceOf(DedupResult.Processed.class);
        assertThat(ran).containsExactly("A", "B", "B", "C");
    }

    @Test
    void a_completion_stranded_by_an_outage_is_written_in_the_background_without_another_call() {
        TestStore shared = new TestStore(InMemoryDedupStore.builder().build()); // the real clock: leases run out
        DedupConsumer<Msg> first = consumer(shared, Duration.ofMillis(600), 1.0 / 3);
        DedupConsumer<Msg> second = consumer(shared, Duration.ofMillis(600), 1.0 / 3);
        shared.completionFailures.set(3); // every try of the first consumer's completion fails, then it recovers
        DedupResult<Void> result = processK(first, "first");
        assertThat(result).isInstanceOf(DedupResult.Unavailable.class);
        assertThat(((DedupResult.Unavailable<Void>) result).handlerRan()).isTrue();

        // the first consumer gets no more work; the second must see the key completed, and never run it
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(processK(second, "second")).isInstanceOf(DedupResult.Duplicate.class));
        assertThat(ran).containsExactly("first");
    }

    @Test
    void an_error_the_store_throws_on_the_completion_writers_thread_keeps_the_completion_and_the_writer()
            throws Exception {
        DedupConsumer<Msg> dedup = consumer();
        // a VirtualMachineError, which store calls let through as the JVM's own trouble
        store.completionError.set(new InternalError("store bug"));
        // B's handler waits until the writer met the error with A's completion, so the error is the writer's
        Future<List<DedupResult<Void>>> first =
                CompletableFuture.supplyAsync(() -> dedup.processAll(msgs("A", "B"), m -> {
                    ran.add(m.key());
                    if (m.key().equals("B") && !store.completionErrorThrown.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the writer never wrote A's completion");
                    }
                    return null;
                }));

        // a writer thread that died would leave A's answer owed, and the batch waiting for it for ever
        List<DedupResult<Void>> results = first.get(60, TimeUnit.SECONDS);
        assertThat(results.get(0)).isInstanceOfSatisfying(DedupResult.Unavailable.class, u -> assertThat(u.handlerRan())
                .isTrue());
        assertThat(results.get(1)).isInstanceOf(DedupResult.Processed.class);
        // A's completion was kept and is written in the background; the writer still writes the next batch's
        await().atMost(Duration.ofSeconds(30)).until(() -> state("A") == RecordState.COMPLETED);
        assertThat(CompletableFuture.supplyAsync(() -> dedup.processAll(msgs("C"), m -> null))
                        .get(60, TimeUnit.SECONDS))
                .singleElement()
                .isInstanceOf(DedupResult.Processed.class);
        assertThat(ran).containsExactly("A", "B");
    }

    @Test
    void an_error_the_store_throws_while_the_batch_writes_its_owed_completions_loses_none_of_them() throws Exception {
        DedupConsumer<Msg> dedup = consumer();
        // set before the handlers run: the batch's end usually takes their completions back from the writer's linger
        // and writes them on this thread, which then meets the error
        store.completionError.set(new InternalError("store bug"));
        ClaimedBatch<Msg> batch = dedup.claimAll(msgs("A", "B"));
        for (ClaimedBatch.Entry<Msg> entry : batch.entries()) {
            batch.run(
                    entry,
                    m -> {
                        ran.add(m.key());
                        return null;
                    },
                    OutcomeCodecs.none(),
                    false);
        }

        // whichever thread meets the error, the batch settles and closes, and no completion is lost
        CompletableFuture.runAsync(() -> {
                    try {
                        batch.complete();
                    } catch (InternalError expected) {
                        // the store's error reaches the thread that met it
                    } finally {
                        batch.close();
                    }
                })
                .get(60, TimeUnit.SECONDS);
        assertThat(store.completionErrorThrown.getCount()).isZero();
        assertThat(batch.entries())
                .allSatisfy(entry -> assertThat(entry.result()).isNotNull());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> state("A") == RecordState.COMPLETED && state("B") == RecordState.COMPLETED);
        assertThat(ran).containsExactly("A", "B");
    }

    @Test
    void a_store_that_fails_its_completions_with_an_error_is_an_outage_the_completion_is_kept_and_written_after() {
        DedupConsumer<Msg> dedup = consumer();
        store.completionErrors = new LinkageError("driver bug");

        DedupResult<Void> result = processK(dedup, "first");
        assertThat(result).isInstanceOfSatisfying(DedupResult.Unavailable.class, u -> assertThat(u.handlerRan())
                .isTrue());
        // the next claims first try the kept completion again: the error must not reach them either
        try (ClaimedBatch<Msg> next = dedup.claimAll(msgs("other"))) {
            assertThat(next.entries()).hasSize(1);
        }

        store.completionErrors = null;
        await().atMost(Duration.ofSeconds(30)).until(() -> state("k") == RecordState.COMPLETED);
        assertThat(ran).containsExactly("first");
    }

    @Test
    void a_stranded_completion_whose_lease_cannot_be_renewed_is_dropped_and_counted_not_kept_for_ever() {
        TestStore shared = new TestStore(InMemoryDedupStore.builder().build());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DedupConsumer<Msg> first = metered(shared, Duration.ofMillis(300), registry);
        shared.writesDown = true; // completions and renewals fail
        first.process(Msg.of("k"), m -> null);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> registry.get("dedup.completions.dropped").counter().count() == 1.0);
        shared.writesDown = false;
        // the lease ran out and nobody renews it: another consumer takes the key over
        DedupConsumer<Msg> second = consumer(shared, Duration.ofSeconds(5), 0);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(processK(second, "second")).isInstanceOf(DedupResult.Processed.class));
        assertThat(ran).containsExactly("second");
    }

    @Test
    void handlers_run_on_the_callers_threads_and_close_records_them_all() throws Exception {
        DedupConsumer<Msg> dedup = consumer();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try (ClaimedBatch<Msg> batch = dedup.claimAll(msgs("a", "b", "c", "a"))) {
            assertThat(store.claimAlls.get()).isEqualTo(1);
            List<Future<?>> running = new ArrayList<>();
            for (ClaimedBatch.Entry<Msg> entry : batch.entries()) {
                if (entry.mayRun()) {
                    running.add(pool.submit(() -> batch.run(
                            entry,
                            m -> {
                                assertThat(Claim.current()).isPresent();
                                ran.add(m.key());
                                return m.key();
                            },
                            OutcomeCodecs.utf8())));
                }
            }
            for (Future<?> f : running) {
                f.get();
            }
            assertThat(batch.entries().get(3).repeatOf()).hasValue(0);
        } finally {
            pool.shutdown();
        }
        assertThat(ran).containsExactlyInAnyOrder("a", "b", "c");
        for (String key : List.of("a", "b", "c")) {
            assertThat(state(key)).isEqualTo(RecordState.COMPLETED);
        }
    }

    @Test
    void completions_of_handlers_finishing_together_are_coalesced_into_few_round_trips() {
        DedupConsumer<Msg> dedup = consumer();
        List<Msg> hundred = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            hundred.add(Msg.of("k" + i));
        }
        assertThat(dedup.processAll(hundred, m -> null)).allMatch(r -> r instanceof DedupResult.Processed);
        assertThat(store.completeAlls.get() + store.completes.get()).isLessThan(100);
    }

    @Test
    void completions_are_written_as_handlers_finish_not_when_the_batch_ends() {
        DedupConsumer<Msg> dedup = consumer();
        try (ClaimedBatch<Msg> batch = dedup.claimAll(msgs("a", "b", "c"))) {
            batch.run(batch.entries().get(0), m -> null, OutcomeCodecs.none());
            batch.run(batch.entries().get(1), m -> null, OutcomeCodecs.none());
            // c has not run and nobody called complete(): a crash now must not repeat a or b
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> state("a") == RecordState.COMPLETED && state("b") == RecordState.COMPLETED);
            assertThat(state("c")).isEqualTo(RecordState.IN_PROGRESS);
            batch.run(batch.entries().get(2), m -> null, OutcomeCodecs.none());
        }
        assertThat(state("c")).isEqualTo(RecordState.COMPLETED);
    }

    @Test
    void a_batch_settles_every_entry_and_a_repeat_follows_its_first() {
        DedupConsumer<Msg> dedup = consumer();
        ClaimedBatch<Msg> batch = dedup.claimAll(msgs("a", "b", "a"));
        try (batch) {
            batch.run(batch.entries().get(0), m -> "ok", OutcomeCodecs.utf8());
            batch.skip(batch.entries().get(1));
        }
        List<DedupResult<?>> results = batch.results();
        assertThat(results.get(0)).isInstanceOf(DedupResult.Processed.class);
        assertThat(results.get(1)).isInstanceOf(DedupResult.Released.class);
        assertThat(results.get(2)).isInstanceOf(DedupResult.Duplicate.class);
        assertThat(OutcomeCodecs.utf8()
                        .decode(((DedupResult.Duplicate<?>) results.get(2))
                                .outcome()
                                .body()))
                .isEqualTo("ok");
        assertThat(state("b")).isEqualTo(RecordState.RELEASED);
    }

    @Test
    void a_batch_for_commit_records_completions_only_after_the_callers_commit() throws Exception {
        DedupConsumer<Msg> dedup = consumer();
        List<String> order = new ArrayList<>();
        try (ClaimedBatch<Msg> batch = dedup.claimAllForCommit(msgs("a", "b"))) {
            batch.run(batch.entries().get(0), m -> null, OutcomeCodecs.none());
            assertThat(state("a")).isEqualTo(RecordState.IN_PROGRESS);
            batch.commit(() -> {
                assertThat(state("a")).isEqualTo(RecordState.IN_PROGRESS);
                order.add("commit");
            });
            assertThat(batch.results().get(0)).isInstanceOf(DedupResult.Processed.class);
            assertThat(batch.results().get(1)).isInstanceOf(DedupResult.Released.class);
        }
        assertThat(order).containsExactly("commit");
        assertThat(state("a")).isEqualTo(RecordState.COMPLETED);
        assertThat(state("b")).isEqualTo(RecordState.RELEASED);
    }

    @Test
    void a_batch_for_commit_closed_without_commit_gives_back_even_the_finished_keys() {
        DedupConsumer<Msg> dedup = consumer();
        AssertionError error = new AssertionError("bug");
        assertThatThrownBy(() -> {
                    try (ClaimedBatch<Msg> batch = dedup.claimAllForCommit(msgs("a", "b", "c"))) {
                        batch.run(batch.entries().get(0), m -> null, OutcomeCodecs.none());
                        batch.run(
                                batch.entries().get(1),
                                m -> {
                                    throw error;
                                },
                                OutcomeCodecs.none());
                    }
                })
                .isSameAs(error);
        // the caller's transaction was not committed, so "a"'s work is gone: its key must run again
        for (String key : List.of("a", "b", "c")) {
            assertThat(state(key)).isEqualTo(RecordState.RELEASED);
        }
    }

    @Test
    void a_commit_is_refused_before_the_callers_commit_when_a_finished_entry_lost_its_lease() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DedupConsumer<Msg> dedup = metered(store, Duration.ofMillis(900), registry);
        List<String> committed = new ArrayList<>();
        try (ClaimedBatch<Msg> batch = dedup.claimAllForCommit(msgs("a", "b"))) {
            batch.run(batch.entries().get(0), m -> null, OutcomeCodecs.none());
            clock.advance(Duration.ofMinutes(1)); // both leases lapsed by the store's clock; another worker takes over
            for (String key : List.of("a", "b")) {
                store.claim(ClaimRequest.of(DedupKey.of("orders", key), Duration.ofMinutes(5), Duration.ofHours(1)));
            }
            // the next renewal (one call for both) is refused: the batch learns it lost both
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> registry.get("dedup.fenced")
                                    .tag("operation", "renew")
                                    .counter()
                                    .count()
                            == 2.0);
            assertThat(batch.entries().get(1).mayRun()).isFalse();
            assertThatThrownBy(() -> batch.commit(() -> committed.add("commit")))
                    .isInstanceOf(LeaseLostException.class);
        }
        assertThat(committed).isEmpty();
        assertThat(state("a")).isEqualTo(RecordState.IN_PROGRESS);
        assertThat(store.find(DedupKey.of("orders", "a")).orElseThrow().token()).isGreaterThan(1);
    }

    @Test
    void a_commit_of_unknown_outcome_leaves_the_finished_keys_held_neither_released_nor_completed() {
        DedupConsumer<Msg> dedup = consumer();
        ClaimedBatch<Msg> batch = dedup.claimAllForCommit(msgs("a", "b"));
        IllegalStateException timeout = new IllegalStateException("commit timed out, outcome unknown");
        try (batch) {
            batch.run(batch.entries().get(0), m -> null, OutcomeCodecs.none());
            assertThatThrownBy(() -> batch.commit(() -> {
                        batch.abandon();
                        throw timeout;
                    }))
                    .isSameAs(timeout);
        }
        assertThat(state("a")).isEqualTo(RecordState.IN_PROGRESS); // until its lease ends
        assertThat(state("b")).isEqualTo(RecordState.RELEASED); // never ran
        assertThat(batch.results().get(0))
                .isInstanceOfSatisfying(DedupResult.Unavailable.class, u -> assertThat(u.handlerRan())
                        .isTrue());
    }

    @Test
    void every_lease_a_batch_holds_is_renewed_with_one_call_per_interval() {
        TestStore shared = new TestStore(InMemoryDedupStore.builder().build());
        DedupConsumer<Msg> dedup = consumer(shared, Duration.ofMillis(300), 1.0 / 3);
        try (ClaimedBatch<Msg> batch = dedup.claimAll(msgs("a", "b", "c", "d", "e"))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> shared.renewAlls.get() >= 3);
            batch.entries().forEach(e -> batch.run(e, m -> null, OutcomeCodecs.none()));
        }
        // five held keys, renewed together: never one call per key
        for (String key : List.of("a", "b", "c", "d", "e")) {
            assertThat(state(shared, key)).isEqualTo(RecordState.COMPLETED);
        }
    }

    @Test
    void a_key_held_elsewhere_is_logged_and_counted_once_per_holder_not_per_retry() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DedupConsumer<Msg> dedup = metered(store, DedupSettings.DEFAULT_LEASE, registry);
        store.claim(ClaimRequest.of(DedupKey.of("orders", "x"), Duration.ofMinutes(1), Duration.ofHours(1)));
        for (int i = 0; i < 5; i++) {
            assertThat(dedup.process(Msg.of("x"), m -> null)).isInstanceOf(DedupResult.InProgress.class);
        }
        assertThat(registry.get("dedup.keys.held").counter().count()).isEqualTo(1.0);
        assertThat(store.claim(ClaimRequest.of(DedupKey.of("orders", "x"), Duration.ofMinutes(1), Duration.ofHours(1))))
                .isInstanceOfSatisfying(
                        io.dedup.spi.ClaimResult.InProgress.class,
                        held -> assertThat(held.holderToken()).isPositive());
        assertThat(registry.get("dedup.messages")
                        .tag("result", "in_progress")
                        .counter()
                        .count())
                .isEqualTo(5.0);
    }

    @Test
    void the_default_lease_is_short_so_a_crashed_consumers_keys_free_up_in_seconds() {
        assertThat(DedupSettings.DEFAULT_LEASE).isEqualTo(Duration.ofSeconds(30));
    }
}
