package io.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Renewal runs on a real clock: short leases, and the tests wait for conditions, not for time. */
class LeaseRenewalTest {
    private final InMemoryDedupStore memory = InMemoryDedupStore.create();
    private final TestStore store = new TestStore(memory);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** Opened by {@link #finish}: the handlers that block wait for it. */
    private final CountDownLatch mayFinish = new CountDownLatch(1);

    private DedupConsumer<Msg> consumer(Duration lease) {
        return DedupConsumer.builder(Msg.KEY)
                .store(store)
                .namespace("renewals")
                .settings(DedupSettings.custom().lease(lease).build())
                .meterRegistry(registry)
                .build();
    }

    /** Processes {@code key} on another thread with a handler that blocks until the test lets it {@link #finish}. */
    private CompletableFuture<DedupResult<Object>> blocked(DedupConsumer<Msg> dedup, String key) {
        return CompletableFuture.supplyAsync(
                () -> dedup.process(Msg.of(key), m -> mayFinish.await(30, TimeUnit.SECONDS)));
    }

    /** Lets the blocked handlers finish, and returns what {@code running} came to. */
    private <T> T finish(CompletableFuture<T> running) throws Exception {
        mayFinish.countDown();
        return running.get(30, TimeUnit.SECONDS);
    }

    private ClaimResult claimAsAnotherWorker(String key) {
        return store.claim(ClaimRequest.of(DedupKey.of("renewals", key), Duration.ofMillis(300), Duration.ofHours(1)));
    }

    private double fencedRenewals() {
        return registry.get("dedup.fenced").tag("operation", "renew").counter().count();
    }

    private double renewals() {
        return registry.get("dedup.lease.renewals").counter().count();
    }

    @Test
    void a_long_handler_keeps_its_lease_so_nobody_takes_the_key_over() throws Exception {
        try (DedupConsumer<Msg> dedup = consumer(Duration.ofMillis(300))) {
            CompletableFuture<DedupResult<Object>> running = blocked(dedup, "slow");
            await().atMost(Duration.ofSeconds(20)).until(() -> renewals() >= 3);
            // Three renewals of a 300 ms lease: the handler has outlived its first lease, yet still holds it.
            ClaimResult other = claimAsAnotherWorker("slow");
            assertThat(other).isInstanceOf(ClaimResult.InProgress.class);
            assertThat(((ClaimResult.InProgress) other).leaseUntil()).isAfter(Instant.now());
            assertThat(finish(running)).isInstanceOf(DedupResult.Processed.class);
        }
    }

    @Test
    void a_renewal_refused_as_fenced_is_counted_and_the_handler_ends_fenced() throws Exception {
        try (DedupConsumer<Msg> dedup = consumer(Duration.ofMillis(300))) {
            CompletableFuture<DedupResult<Object>> running = blocked(dedup, "stolen");
            DedupKey key = DedupKey.of("renewals", "stolen");
            await().atMost(Duration.ofSeconds(20)).until(() -> store.find(key).isPresent());
            long token = store.find(key).orElseThrow().token();
            // An operator-style takeover: release with the current token, then claim as another worker.
            assertThat(store.release(key, token, Duration.ofHours(1))).isEqualTo(io.dedup.spi.WriteResult.APPLIED);
            store.claim(ClaimRequest.of(key, Duration.ofMinutes(5), Duration.ofHours(1)));
            await().atMost(Duration.ofSeconds(20)).until(() -> fencedRenewals() >= 1);
            assertThat(finish(running)).isInstanceOf(DedupResult.Fenced.class);
        }
    }

    @Test
    void in_a_batch_a_finished_handler_is_recorded_at_once_while_the_others_stay_held() throws Exception {
        try (DedupConsumer<Msg> dedup = consumer(Duration.ofMillis(300))) {
            // The first message finishes at once and is recorded as it finishes (a crash now would not repeat it);
            // the second blocks for several leases and stays held by renewal.
            CompletableFuture<java.util.List<DedupResult<Object>>> running =
                    CompletableFuture.supplyAsync(() -> dedup.processAll(
                            java.util.List.of(Msg.of("quick"), Msg.of("slow")),
                            m -> m.key().equals("slow") ? mayFinish.await(30, TimeUnit.SECONDS) : null));
            await().atMost(Duration.ofSeconds(20)).until(() -> renewals() >= 6);
            ClaimResult quick = claimAsAnotherWorker("quick");
            assertThat(quick).as("the finished message is already recorded").isInstanceOf(ClaimResult.Duplicate.class);
            ClaimResult slow = claimAsAnotherWorker("slow");
            assertThat(slow).as("the running message's key is still held").isInstanceOf(ClaimResult.InProgress.class);
            assertThat(finish(running)).allMatch(r -> r instanceof DedupResult.Processed);
            assertThat(fencedRenewals()).isZero();
        }
    }
}
