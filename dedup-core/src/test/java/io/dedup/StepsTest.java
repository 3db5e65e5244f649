package io.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.Position;
import io.dedup.spi.StoreTransaction;
import io.dedup.spi.WriteResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checkpointed steps on the in-memory store: a crash is simulated by abandoning a handler mid-run (its thread blocks,
 * its claim is never settled) and advancing the store's injected clock past the lease.
 */
class StepsTest {
    private static final Duration LEASE = Duration.ofSeconds(30);

    private final MutableTestClock clock = new MutableTestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryDedupStore memory =
            InMemoryDedupStore.builder().clock(clock).build();
    private final FlakyReleases store = new FlakyReleases(memory);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** Every step effect, in order, as "worker:step". */
    private final List<String> effects = Collections.synchronizedList(new ArrayList<>());

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final CountDownLatch resume = new CountDownLatch(1);
    /** Counted down when worker A stalls. */
    private final CountDownLatch stalled = new CountDownLatch(1);

    private final List<DedupConsumer<Msg>> consumers = new ArrayList<>();

    private DedupConsumer<Msg> consumer() {
        return consumer(1);
    }

    private DedupConsumer<Msg> consumer(int handlerAttempts) {
        DedupConsumer<Msg> dedup = DedupConsumer.builder(Msg.KEY)
                .store(store)
                .namespace("orders")
                // a stalled worker's lease lapses by the injected clock, as a dead one's
                .settings(DedupSettings.custom()
                        .lease(LEASE)
                        .leaseRenewalFraction(0)
                        .build())
                .handlerAttempts(handlerAttempts, Duration.ofMillis(1))
                .meterRegistry(registry)
                .build();
        consumers.add(dedup);
        return dedup;
    }

    @AfterEach
    void tearDown() throws Exception {
        resume.countDown();
        threads.shutdown();
        assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        consumers.forEach(DedupConsumer::close);
    }

    /** charge, reserve, ship; the charge's id is recorded and used by the later steps. */
    private ResultHandler<Msg, String> threeSteps(String worker, StepHook hook) {
        return m -> {
            String chargeId = Steps.run("charge", OutcomeCodecs.utf8(), () -> {
                effects.add(worker + ":charge");
                hook.at(Point.INSIDE, 1);
                return "ch-" + worker;
            });
            hook.at(Point.AFTER, 1);
            Steps.run("reserve", () -> {
                effects.add(worker + ":reserve");
                hook.at(Point.INSIDE, 2);
            });
            hook.at(Point.AFTER, 2);
            String shipment = Steps.run("ship", OutcomeCodecs.utf8(), () -> {
                effects.add(worker + ":ship");
                hook.at(Point.INSIDE, 3);
                return "sh-" + worker;
            });
            hook.at(Point.AFTER, 3);
            return chargeId + "/" + shipment;
        };
    }

    /** Where in a step the hook is called: inside it (after its effect) or after it (once recorded). */
    private enum Point {
        INSIDE,
        AFTER
    }

    /** Called at each point of each step; where a worker stalls. */
    @FunctionalInterface
    private interface StepHook {
        StepHook NONE = (point, step) -> {};

        void at(Point point, int step) throws Exception;
    }

    /** Stalls worker A at {@code where} in step {@code n}. */
    private StepHook stallAt(Point where, int n) {
        return (point, step) -> {
            if (point == where && step == n) {
                stall();
            }
        };
    }

    /** Where worker A stops: it says it got there, then waits for the test to {@link #resume} it. */
    private void stall() throws InterruptedException {
        stalled.countDown();
        resume.await();
    }

    /** Starts worker A on its own thread on {@code o-1}, and returns once it stalls where the hook says. */
    private Future<DedupResult<String>> stalledWorker(StepHook hook) throws InterruptedException {
        DedupConsumer<Msg> dedup = consumer();
        Future<DedupResult<String>> a =
                threads.submit(() -> dedup.process(Msg.of("o-1"), threeSteps("A", hook), OutcomeCodecs.utf8(), true));
        assertThat(stalled.await(10, TimeUnit.SECONDS))
                .as("worker A reached its stall")
                .isTrue();
        return a;
    }

    /** A stalled worker A whose lease has lapsed, nothing renewing it: as good as dead, until it is resumed. */
    private Future<DedupResult<String>> staleWorker(StepHook hook) throws InterruptedException {
        Future<DedupResult<String>> a = stalledWorker(hook);
        clock.advance(LEASE.plusSeconds(1));
        return a;
    }

    private double steps(String result) {
        return registry.get("dedup.steps").tag("result", result).counter().count();
    }

    private static String result(DedupResult<String> result) {
        assertThat(result).isInstanceOf(DedupResult.Processed.class);
        return ((DedupResult.Processed<String>) result).result();
    }

    // ------------------------------------------------------------------ once, and replayed

    @Test
    void three_steps_run_once_and_a_duplicate_runs_none() {
        DedupConsumer<Msg> dedup = consumer();
        assertThat(result(dedup.process(Msg.of("o-1"), threeSteps("A", StepHook.NONE), OutcomeCodecs.utf8(), true)))
                .isEqualTo("ch-A/sh-A");
        assertThat(dedup.process(Msg.of("o-1"), threeSteps("B", StepHook.NONE), OutcomeCodecs.utf8(), true))
                .isInstanceOf(DedupResult.Duplicate.class);
        assertThat(effects).containsExactly("A:charge", "A:reserve", "A:ship");
        assertThat(steps("run")).isEqualTo(3);
        assertThat(steps("replayed")).isZero();
    }

    @ParameterizedTest(name = "crash after step {0}")
    @ValueSource(ints = {1, 2})
    void after_a_crash_after_a_step_the_rerun_runs_only_the_remaining_steps(int crashAfter) throws Exception {
        Future<DedupResult<String>> a = stalledWorker(stallAt(Point.AFTER, crashAfter));
        DedupConsumer<Msg> b = consumer();
        assertThat(b.process(Msg.of("o-1"), threeSteps("B", StepHook.NONE), OutcomeCodecs.utf8(), true))
                .as("A's lease is live")
                .isInstanceOf(DedupResult.InProgress.class);

        clock.advance(LEASE.plusSeconds(1)); // A is as good as dead: its lease lapsed, nothing renews it
        String done = result(b.process(Msg.of("o-1"), threeSteps("B", StepHook.NONE), OutcomeCodecs.utf8(), true));

        assertThat(done).as("the charge's recorded result is replayed").startsWith("ch-A/");
        List<String> expected = new ArrayList<>(List.of("A:charge", "A:reserve", "B:reserve", "B:ship"));
        if (crashAfter == 1) {
            expected.remove("A:reserve");
        } else {
            expected.remove("B:reserve");
        }
        assertThat(effects).containsExactlyElementsOf(expected);
        assertThat(steps("replayed")).isEqualTo(crashAfter);

        resume.countDown(); // the stale worker wakes up: it replays or is fenced, and cannot complete the key
        assertThat(a.get(10, TimeUnit.SECONDS)).isInstanceOf(DedupResult.Fenced.class);
        assertThat(effects).containsExactlyElementsOf(expected);
    }

    @Test
    void a_crash_inside_a_step_repeats_that_step_only() throws Exception {
        Future<DedupResult<String>> a = staleWorker(stallAt(Point.INSIDE, 2));

        String done =
                result(consumer().process(Msg.of("o-1"), threeSteps("B", StepHook.NONE), OutcomeCodecs.utf8(), true));

        assertThat(done).isEqualTo("ch-A/sh-B");
        assertThat(effects).containsExactly("A:charge", "A:reserve", "B:reserve", "B:ship");
        resume.countDown();
        assertThat(a.get(10, TimeUnit.SECONDS))
                .as("the stale worker's record of the step it was in is refused")
                .isInstanceOf(DedupResult.Fenced.class);
        assertThat(steps("fenced")).isEqualTo(1);
    }

    // ------------------------------------------------------------------ fencing

    @Test
    void a_stale_worker_neither_runs_nor_records_a_step_after_a_takeover() throws Exception {
        Future<DedupResult<String>> a = staleWorker(stallAt(Point.AFTER, 1));
        DedupConsumer<Msg> b = consumer();
        try (ClaimedBatch<Msg> batch = b.claimAll(List.of(Msg.of("o-1")))) {
            ClaimedBatch.Entry<Msg> entry = batch.entries().get(0);
            assertThat(entry.mayRun()).as("B took the key over").isTrue();

            resume.countDown(); // A goes on to its second step while B holds the key
            DedupResult<String> stale = a.get(10, TimeUnit.SECONDS);
            assertThat(stale).isInstanceOf(DedupResult.Fenced.class);
            assertThat(effects).as("A did not start its second step").containsExactly("A:charge");
            assertThat(store.find(DedupKey.of("orders", "o-1")).orElseThrow().token())
                    .isEqualTo(entry.claim().orElseThrow().token());

            batch.run(entry, threeSteps("B", StepHook.NONE), OutcomeCodecs.utf8());
            batch.complete();
            assertThat(result(cast(entry.result()))).isEqualTo("ch-A/sh-B");
        }
        assertThat(effects).containsExactly("A:charge", "B:reserve", "B:ship");
        assertThat(steps("fenced")).isEqualTo(1);
    }

    @Test
    void a_stale_worker_that_finishes_a_step_after_a_takeover_does_not_record_it() throws Exception {
        Future<DedupResult<String>> a = staleWorker(stallAt(Point.INSIDE, 2));
        try (ClaimedBatch<Msg> batch = consumer().claimAll(List.of(Msg.of("o-1")))) {
            ClaimedBatch.Entry<Msg> entry = batch.entries().get(0);
            assertThat(entry.mayRun()).isTrue();

            resume.countDown(); // A's second step returns while B holds the key but has not reached that step
            assertThat(a.get(10, TimeUnit.SECONDS)).isInstanceOf(DedupResult.Fenced.class);

            batch.run(entry, threeSteps("B", StepHook.NONE), OutcomeCodecs.utf8());
            batch.complete();
            assertThat(result(cast(entry.result()))).isEqualTo("ch-A/sh-B");
        }
        assertThat(effects)
                .as("B runs the step again: the stale worker's run of it was not recorded")
                .containsExactly("A:charge", "A:reserve", "B:reserve", "B:ship");
    }

    @Test
    void a_step_record_left_held_by_an_earlier_attempt_is_taken_over_at_once() throws Exception {
        AtomicInteger reserveRuns = new AtomicInteger();
        ResultHandler<Msg, String> handler = m -> {
            Steps.run("charge", () -> effects.add("charge"));
            Steps.run("reserve", () -> {
                effects.add("reserve");
                if (reserveRuns.incrementAndGet() == 1) {
                    store.failReleases.set(1); // the step's record cannot be given back: it stays held
                    throw new IllegalStateException("warehouse down");
                }
            });
            return "done";
        };
        DedupConsumer<Msg> dedup = consumer(2);
        assertThat(result(dedup.process(Msg.of("o-1"), handler, OutcomeCodecs.utf8(), true)))
                .isEqualTo("done");
        assertThat(effects).containsExactly("charge", "reserve", "reserve");
        assertThat(steps("failed")).isEqualTo(1);
        assertThat(steps("replayed")).as("the charge, on the second attempt").isEqualTo(1);
    }

    // ------------------------------------------------------------------ failure

    @Test
    void a_failing_step_records_nothing_and_the_next_delivery_resumes_at_it() {
        AtomicInteger shipTries = new AtomicInteger();
        ResultHandler<Msg, String> handler = m -> {
            String charge = Steps.run("charge", OutcomeCodecs.utf8(), () -> {
                effects.add("charge");
                return "ch-1";
            });
            Steps.run("ship", () -> {
                if (shipTries.incrementAndGet() == 1) {
                    throw new IllegalStateException("carrier down");
                }
                effects.add("ship");
            });
            return charge;
        };
        DedupConsumer<Msg> dedup = consumer();
        DedupResult<String> first = dedup.process(Msg.of("o-1"), handler, OutcomeCodecs.utf8(), false);
        assertThat(first).isInstanceOf(DedupResult.Failed.class);
        assertThat(((DedupResult.Failed<String>) first).error()).hasMessage("carrier down");

        assertThat(result(dedup.process(Msg.of("o-1"), handler, OutcomeCodecs.utf8(), true)))
                .isEqualTo("ch-1");
        assertThat(effects).containsExactly("charge", "ship");
        assertThat(steps("failed")).isEqualTo(1);
    }

    @Test
    void a_step_of_the_same_name_cannot_run_inside_itself() {
        DedupResult<String> result = consumer()
                .process(
                        Msg.of("o-1"),
                        m -> Steps.run(
                                "charge",
                                OutcomeCodecs.utf8(),
                                () -> Steps.run("charge", OutcomeCodecs.utf8(), () -> "x")),
                        OutcomeCodecs.utf8(),
                        true);
        assertThat(((DedupResult.Failed<String>) result).error())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already running");
    }

    // ------------------------------------------------------------------ other modes

    @Test
    void outside_a_handler_a_step_is_refused() {
        assertThatThrownBy(() -> Steps.run("charge", () -> effects.add("charge")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("outside a handler");
        assertThatThrownBy(() -> Steps.run("", () -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
        assertThat(effects).isEmpty();
    }

    @Test
    void unguarded_under_fail_open_a_step_runs_directly() {
        TestStore down = new TestStore(memory);
        down.claimsDown = true;
        try (DedupConsumer<Msg> dedup = DedupConsumer.builder(Msg.KEY)
                .store(down)
                .namespace("orders")
                .settings(DedupSettings.custom()
                        .storeUnavailablePolicy(StoreUnavailablePolicy.FAIL_OPEN)
                        .build())
                .meterRegistry(registry)
                .build()) {
            DedupResult<String> result =
                    dedup.process(Msg.of("o-1"), threeSteps("A", StepHook.NONE), OutcomeCodecs.utf8(), true);
            assertThat(result).isInstanceOf(DedupResult.Unguarded.class);
        }
        assertThat(effects).containsExactly("A:charge", "A:reserve", "A:ship");
        assertThat(steps("direct")).isEqualTo(3);
    }

    @Test
    void in_a_store_transaction_steps_run_directly_and_record_nothing() throws Exception {
        DedupConsumer<Msg> dedup = consumer();
        for (int round = 1; round <= 2; round++) {
            try (ClaimedBatch<Msg> batch = dedup.claimAll(List.of(Msg.of("o-1")), new MemoryTransaction(memory))) {
                batch.run(batch.entries().get(0), threeSteps("T" + round, StepHook.NONE), OutcomeCodecs.utf8());
                if (round == 2) {
                    batch.commit(() -> {});
                }
            } // round 1 is rolled back: a step recorded outside it would wrongly survive
            for (String step : List.of("charge", "reserve", "ship")) {
                assertThat(memory.find(stepKey("o-1", step))).isEmpty();
            }
        }
        assertThat(effects).containsExactly("T1:charge", "T1:reserve", "T1:ship", "T2:charge", "T2:reserve", "T2:ship");
        assertThat(steps("direct")).isEqualTo(6);
        assertThat(steps("run")).isZero();
    }

    private static DedupKey stepKey(String key, String step) {
        return DedupKey.digestOf("orders", "\u0000dedup-step\u0000" + key + "\u0000" + step);
    }

    @SuppressWarnings("unchecked")
    private static <R> DedupResult<R> cast(DedupResult<?> result) {
        return (DedupResult<R>) result;
    }

    /** The in-memory store, whose next {@code failReleases} releases fail as if the store were down. */
    private static final class FlakyReleases extends ForwardingStore {
        final AtomicInteger failReleases = new AtomicInteger();

        FlakyReleases(InMemoryDedupStore delegate) {
            super(delegate);
        }

        @Override
        public WriteResult release(DedupKey key, long token, Duration retention) {
            if (failReleases.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new DedupStoreUnavailableException("release refused by the test");
            }
            return super.release(key, token, retention);
        }
    }

    /**
     * Enough of a store transaction for the batch kind: claims and completions go straight to the store (this store
     * has no transactions); only the steps' treatment is under test.
     */
    private static final class MemoryTransaction implements StoreTransaction {
        private final InMemoryDedupStore store;
        private final List<io.dedup.Claim> claimed = new ArrayList<>();

        MemoryTransaction(InMemoryDedupStore store) {
            this.store = store;
        }

        @Override
        public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
            List<ClaimResult> results = store.claimAll(requests);
            results.forEach(r -> {
                if (r instanceof ClaimResult.Acquired a) {
                    claimed.add(a.claim());
                }
            });
            return results;
        }

        @Override
        public List<WriteResult> completeAll(List<Completion> completions) {
            return store.completeAll(completions);
        }

        @Override
        public List<WriteResult> releaseAll(List<io.dedup.Claim> claims, Duration retention) {
            List<WriteResult> results = new ArrayList<>();
            claims.forEach(c -> results.add(store.release(c.key(), c.token(), retention)));
            return results;
        }

        @Override
        public void savePositions(String namespace, List<Position> positions) {}

        @Override
        public Map<Integer, Long> positions(String namespace, String stream) {
            return Map.of();
        }

        @Override
        public <T> Optional<T> resource(Class<T> type) {
            return Optional.empty();
        }

        @Override
        public void commit() {}

        @Override
        public void rollback() {
            claimed.forEach(c -> store.release(c.key(), c.token(), Duration.ofHours(1)));
        }

        @Override
        public void close() {}
    }
}
