package io.dedup.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.Outcome;
import io.dedup.OutcomeStatus;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.RecordState;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What a completed key keeps and for how long: outcomes round-trip byte for byte (empty, every byte value, one
 * mebibyte), a failed status stays failed, {@code find} shows every field that was written, and a completed key is
 * forgotten when its retention ends.
 *
 * <p>One layer of {@link DedupStoreContract}; not thread-safe, one instance per test.
 */
public abstract class StoredRecordContract extends FencingContract {
    /** Retention is a promise both ways: remembered until it ends, then free to be processed again. */
    @Test
    void a_completed_key_is_forgotten_when_its_retention_ends() {
        Claim claim = acquire(request(key("k1")));
        assertThat(store.complete(new Completion(
                        claim.key(), claim.token(), OutcomeStatus.SUCCEEDED, new byte[0], shortDuration())))
                .isEqualTo(WriteResult.APPLIED);
        assertThat(store.claim(request(key("k1")))).isInstanceOf(ClaimResult.Duplicate.class);
        // past the short retention, by the store's clock, the key is new again
        Claim again = acquireAfterLapse(request(key("k1")));
        assertThat(again.key()).isEqualTo(key("k1"));
    }

    /**
     * Outcomes are bytes, not text: every byte value and a large body come back unchanged (no charset, no truncation).
     */
    @Test
    void outcomes_round_trip_empty_binary_and_one_mebibyte() {
        // every byte value once (a store that goes through a charset mangles some), and a mebibyte of noise
        byte[] binary = new byte[256];
        for (int i = 0; i < 256; i++) {
            binary[i] = (byte) i;
        }
        byte[] large = new byte[1024 * 1024];
        new Random(42).nextBytes(large);
        for (byte[] body : List.of(new byte[0], binary, large)) {
            DedupKey k = key("outcome-" + body.length);
            complete(acquire(request(k)), body);
            ClaimResult again = store.claim(request(k));
            assertThat(again).isInstanceOf(ClaimResult.Duplicate.class);
            assertThat(((ClaimResult.Duplicate) again).outcome().body())
                    .as("body of %d bytes", body.length)
                    .isEqualTo(body);
        }
    }

    /** A key the dead-letter policy marked failed stays failed, with the error text the adapter stored. */
    @Test
    void a_key_marked_failed_keeps_its_failed_status() {
        Claim claim = acquire(request(key("k1")));
        byte[] reason = "java.lang.IllegalStateException: boom".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(store.complete(new Completion(claim.key(), claim.token(), OutcomeStatus.FAILED, reason, LONG)))
                .isEqualTo(WriteResult.APPLIED);
        Outcome outcome = ((ClaimResult.Duplicate) store.claim(request(key("k1")))).outcome();
        assertThat(outcome.status()).isEqualTo(OutcomeStatus.FAILED);
        assertThat(outcome.body()).isEqualTo(reason);
    }

    /**
     * Operators and the model checker read records through {@code find}; every field must show what the writes left.
     */
    @Test
    void find_returns_what_was_written() {
        DedupKey k = key("k1");
        assertThat(store.find(k)).isEmpty();
        Claim claim = acquire(new ClaimRequest(k, LONG, LONG, Optional.of("fp")));
        StoredRecord held = store.find(k).orElseThrow();
        assertThat(held.state()).isEqualTo(RecordState.IN_PROGRESS);
        assertThat(held.token()).isEqualTo(claim.token());
        assertThat(held.attempts()).isEqualTo(1);
        assertThat(held.leaseUntil()).contains(claim.leaseUntil());
        assertThat(held.fingerprint()).contains("fp");
        // a held record outlives its lease: a takeover must still find the token it has to exceed
        assertThat(held.expiresAt()).isAfter(claim.leaseUntil());
        complete(claim, new byte[] {7});
        // completion keeps token and fingerprint and adds the outcome
        StoredRecord done = store.find(k).orElseThrow();
        assertThat(done.state()).isEqualTo(RecordState.COMPLETED);
        assertThat(done.token()).isEqualTo(claim.token());
        assertThat(done.outcome().orElseThrow().body()).containsExactly(7);
        assertThat(done.fingerprint()).contains("fp");
    }
}
