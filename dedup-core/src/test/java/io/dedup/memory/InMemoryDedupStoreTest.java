package io.dedup.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.DedupStoreFullException;
import io.dedup.MutableTestClock;
import io.dedup.OutcomeStatus;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.ExpiredEntriesPurger;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What the in-memory store adds to the contract kit (which runs in dedup-testkit): its size bound and sweeping. */
class InMemoryDedupStoreTest {
    private final MutableTestClock clock = new MutableTestClock(Instant.parse("2026-01-01T00:00:00Z"));

    private static ClaimRequest request(String id, Duration retention) {
        return ClaimRequest.of(DedupKey.of("ns", id), Duration.ofSeconds(10), retention);
    }

    @Test
    void a_full_store_reclaiming_an_expired_key_keeps_it_so_a_second_claim_is_in_progress() {
        InMemoryDedupStore store =
                InMemoryDedupStore.builder().clock(clock).maxEntries(1).build();
        ClaimRequest a = request("a", Duration.ofSeconds(5));
        assertThat(store.claim(a)).isInstanceOf(ClaimResult.Acquired.class);
        clock.advance(Duration.ofSeconds(16)); // past lease (10 s) and retention (5 s)

        Claim again = ((ClaimResult.Acquired) store.claim(a)).claim();

        assertThat(store.claim(a)).isInstanceOf(ClaimResult.InProgress.class);
        assertThat(store.find(a.key()))
                .hasValueSatisfying(r -> assertThat(r.token()).isEqualTo(again.token()));
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void a_full_store_refuses_new_keys_but_never_forgets_completed_ones() {
        InMemoryDedupStore store =
                InMemoryDedupStore.builder().clock(clock).maxEntries(2).build();
        Claim a = ((ClaimResult.Acquired) store.claim(request("a", Duration.ofMinutes(1)))).claim();
        store.complete(new Completion(a.key(), a.token(), OutcomeStatus.SUCCEEDED, new byte[0], Duration.ofMinutes(1)));
        store.claim(request("b", Duration.ofMinutes(1)));
        assertThatThrownBy(() -> store.claim(request("c", Duration.ofMinutes(1))))
                .isInstanceOf(DedupStoreFullException.class)
                .hasMessageContaining("maximum of 2");
        assertThat(store.claim(request("a", Duration.ofMinutes(1)))).isInstanceOf(ClaimResult.Duplicate.class);
        clock.advance(Duration.ofMinutes(2));
        assertThat(store.claim(request("c", Duration.ofMinutes(1)))).isInstanceOf(ClaimResult.Acquired.class);
    }

    @Test
    void expired_records_are_purged_in_bounded_batches_and_swept_as_keys_arrive() {
        InMemoryDedupStore store = InMemoryDedupStore.builder().clock(clock).build();
        for (int i = 0; i < 100; i++) {
            store.claim(request("old-" + i, Duration.ofSeconds(1)));
        }
        clock.advance(Duration.ofMinutes(1));
        ExpiredEntriesPurger purger =
                store.capability(ExpiredEntriesPurger.class).orElseThrow();
        assertThat(purger.purgeExpired(30)).isEqualTo(30);
        assertThat(store.size()).isEqualTo(70);
        for (int i = 0; i < 3000; i++) {
            store.claim(request("new-" + i, Duration.ofHours(1)));
        }
        assertThat(store.size()).as("expired records swept").isEqualTo(3000);
    }
}
