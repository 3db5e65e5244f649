package io.dedup.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.DedupKey;
import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClaimKeeperTest {
    private static final Duration LEASE = Duration.ofMillis(300);
    private final InMemoryDedupStore store = InMemoryDedupStore.create();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private ClaimResult.Acquired claim(String key) {
        return (ClaimResult.Acquired) store.claim(ClaimRequest.of(DedupKey.of("g", key), LEASE, Duration.ofHours(1)));
    }

    @Test
    void keeps_a_lease_alive_past_its_end_until_closed() {
        ClaimResult.Acquired held = claim("a");
        Instant firstEnd = held.claim().leaseUntil();
        try (ClaimKeeper keeper = new ClaimKeeper(store, LEASE, List.of(held.claim()), executor)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> store.find(held.key())
                    .orElseThrow()
                    .leaseUntil()
                    .orElseThrow()
                    .isAfter(firstEnd.plus(LEASE)));
            assertThat(store.claim(ClaimRequest.of(held.key(), LEASE, Duration.ofHours(1))))
                    .isInstanceOf(ClaimResult.InProgress.class);
            assertThat(keeper.lost()).isEmpty();
        }
    }

    @Test
    void reports_a_claim_taken_over_by_another_worker() {
        ClaimResult.Acquired held = claim("b");
        try (ClaimKeeper keeper = new ClaimKeeper(store, LEASE, List.of(held.claim()), executor)) {
            store.release(held.key(), held.claim().token(), Duration.ofHours(1)); // as if it lapsed
            claim("b"); // another worker now holds it with a higher token
            await().atMost(Duration.ofSeconds(5)).until(() -> keeper.lost().isPresent());
            assertThat(keeper.lost()).contains(held.claim());
        }
    }
}
