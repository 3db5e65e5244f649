package io.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.DedupStore;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NearCachedStoreTest {
    private final MutableTestClock clock = new MutableTestClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final TestStore remote =
            new TestStore(InMemoryDedupStore.builder().clock(clock).build());
    private final NearCachedStore store = NearCachedStore.wrap(remote, 1000, Duration.ofMinutes(1), clock);

    private ClaimRequest request(String id) {
        return ClaimRequest.of(DedupKey.of("ns", id), Duration.ofSeconds(30), Duration.ofHours(1));
    }

    @Test
    void completed_keys_are_answered_locally_until_the_local_ttl_ends() {
        try (DedupConsumer<Msg> dedup =
                DedupConsumer.builder(Msg.KEY).store(store).namespace("ns").build()) {
            dedup.process(Msg.of("a"), m -> "ok");
            int before = remote.claims.get();
            assertThat(store.claim(request("a"))).isInstanceOf(ClaimResult.Duplicate.class);
            assertThat(store.claimAll(List.of(request("a"), request("a"))))
                    .allMatch(r -> r instanceof ClaimResult.Duplicate);
            assertThat(remote.claims.get()).isEqualTo(before);
            assertThat(remote.claimAlls.get()).isZero();
            clock.advance(Duration.ofMinutes(2));
            assertThat(store.claim(request("a"))).isInstanceOf(ClaimResult.Duplicate.class);
            assertThat(remote.claims.get()).isEqualTo(before + 1);
        }
    }

    @Test
    void held_and_released_keys_are_never_answered_locally() {
        ClaimResult.Acquired held = (ClaimResult.Acquired) store.claim(request("a"));
        assertThat(store.claim(request("a"))).isInstanceOf(ClaimResult.InProgress.class);
        assertThat(store.release(held.key(), held.claim().token(), Duration.ofHours(1)))
                .isEqualTo(WriteResult.APPLIED);
        assertThat(store.claim(request("a"))).isInstanceOf(ClaimResult.Acquired.class);
        assertThat(remote.claims.get()).isEqualTo(3);
    }

    @Test
    void fingerprinted_claims_are_judged_by_the_store_when_the_cache_has_no_fingerprint() {
        DedupKey key = DedupKey.of("ns", "a");
        ClaimResult.Acquired held = (ClaimResult.Acquired)
                store.claim(new ClaimRequest(key, Duration.ofSeconds(30), Duration.ofHours(1), Optional.of("fp1")));
        store.complete(new io.dedup.spi.Completion(
                key, held.claim().token(), OutcomeStatus.SUCCEEDED, new byte[0], Duration.ofHours(1)));
        assertThat(store.claim(new ClaimRequest(key, Duration.ofSeconds(30), Duration.ofHours(1), Optional.of("fp2"))))
                .isInstanceOf(ClaimResult.Conflict.class);
    }
    /** Completes {@code id} directly on the remote store, as another process would. */
    private void completeElsewhere(String id, Optional<String> fingerprint, Duration retention) {
        DedupKey key = DedupKey.of("ns", id);
        ClaimResult.Acquired held = (ClaimResult.Acquired)
                remote.claim(new ClaimRequest(key, Duration.ofSeconds(30), Duration.ofHours(1), fingerprint));
        assertThat(remote.complete(new io.dedup.spi.Completion(
                        key, held.claim().token(), OutcomeStatus.SUCCEEDED, new byte[] {7}, retention)))
                .isEqualTo(WriteResult.APPLIED);
    }

    @Test
    void a_remote_duplicate_is_cached_no_longer_than_the_remote_record_lives() {
        NearCachedStore hourLong = NearCachedStore.wrap(remote, 1000, Duration.ofHours(1), clock);
        completeElsewhere("k", Optional.empty(), Duration.ofHours(24));

        clock.advance(Duration.ofHours(23).plusMinutes(59));
        assertThat(hourLong.claim(request("k"))).isInstanceOf(ClaimResult.Duplicate.class);
        clock.advance(Duration.ofMinutes(31)); // the remote record expired at 24 h

        assertThat(hourLong.claim(request("k"))).isInstanceOf(ClaimResult.Acquired.class);
    }

    @Test
    void a_remote_duplicate_is_cached_with_the_stored_fingerprint_not_the_request_s() {
        completeElsewhere("k", Optional.empty(), Duration.ofHours(1));
        DedupKey key = DedupKey.of("ns", "k");
        ClaimRequest first = new ClaimRequest(key, Duration.ofSeconds(30), Duration.ofHours(1), Optional.of("fp1"));
        ClaimRequest second = new ClaimRequest(key, Duration.ofSeconds(30), Duration.ofHours(1), Optional.of("fp2"));

        assertThat(store.claim(first)).isInstanceOf(ClaimResult.Duplicate.class);

        // the stored record has no fingerprint, so the store answers Duplicate to any; so must the cache
        assertThat(store.claim(second)).isInstanceOf(ClaimResult.Duplicate.class);
        assertThat(remote.claim(second)).isInstanceOf(ClaimResult.Duplicate.class);
    }

    @Test
    void a_key_repeated_in_a_batch_is_answered_in_order_even_when_its_record_expires_during_the_call() {
        DedupStore slow = new ForwardingStore(remote) {
            @Override
            public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
                clock.advance(Duration.ofMinutes(2)); // the round trip outlasts the record's retention
                return remote.claimAll(requests);
            }
        };
        NearCachedStore cached = NearCachedStore.wrap(slow, 1000, Duration.ofHours(1), clock);
        DedupKey key = DedupKey.of("ns", "k");
        ClaimResult.Acquired held = (ClaimResult.Acquired) cached.claim(request("k"));
        cached.complete(new io.dedup.spi.Completion(
                key, held.claim().token(), OutcomeStatus.SUCCEEDED, new byte[0], Duration.ofMinutes(1)));

        List<ClaimResult> answers = cached.claimAll(List.of(
                new ClaimRequest(key, Duration.ofSeconds(30), Duration.ofHours(1), Optional.of("fp1")), request("k")));

        assertThat(answers.get(0)).isInstanceOf(ClaimResult.Acquired.class);
        assertThat(answers.get(1)).isInstanceOf(ClaimResult.InProgress.class);
    }
}
