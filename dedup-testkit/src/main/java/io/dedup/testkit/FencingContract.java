package io.dedup.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dedup.Claim;
import io.dedup.OutcomeStatus;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.RecordState;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Leases and fencing (G3, G4): a lapsed lease is taken over with a strictly higher token, also after release and
 * after the record itself expired; a stale holder's complete, renew and release are refused; renewal keeps a key
 * from being taken over; writes on absent or completed keys change nothing.
 *
 * <p>The cases wait out {@link #shortDuration()} leases through {@link #time()}, so with {@link TimeControl#REAL}
 * they poll the store's own clock instead of sleeping a fixed time. One layer of {@link DedupStoreContract}; not
 * thread-safe, one instance per test.
 */
public abstract class FencingContract extends BatchClaimContract {
    /** A dead worker's key is free again after its lease, with a higher token and the attempt count raised (G3). */
    @Test
    void a_lapsed_lease_is_taken_over_with_a_strictly_higher_token() {
        // the first holder "died": its lease lapses, and the key is free for the next delivery
        Claim first = acquire(shortLease(key("k1")));
        Claim second = acquireAfterLapse(shortLease(key("k1")));
        assertThat(second.token()).isGreaterThan(first.token());
        assertThat(second.attempt()).isEqualTo(2);
    }

    /**
     * G4: every write of the taken-over worker is refused, and the refusals leave the current holder's record alone.
     */
    @Test
    void a_stale_worker_cannot_complete_renew_or_release_after_takeover() {
        // the stale worker never learns it was taken over: it writes with the token it was given
        Claim stale = acquire(shortLease(key("k1")));
        Claim current = acquireAfterLapse(shortLease(key("k1")));
        assertThat(complete(stale, new byte[] {1})).isEqualTo(WriteResult.FENCED);
        assertThat(store.renew(stale.key(), stale.token(), LONG)).isEqualTo(WriteResult.FENCED);
        assertThat(store.release(stale.key(), stale.token(), LONG)).isEqualTo(WriteResult.FENCED);
        // The current holder is unaffected by the refused writes.
        assertThat(store.find(current.key()).orElseThrow().state()).isEqualTo(RecordState.IN_PROGRESS);
        assertThat(complete(current, new byte[] {2})).isEqualTo(WriteResult.APPLIED);
    }

    /** The A/B/C sequence of DESIGN §1: a store that restarts tokens after a release lets stale A complete as C. */
    @Test
    void tokens_never_repeat_across_release_and_reacquire() {
        Claim a = acquire(shortLease(key("k1")));
        Claim b = acquireAfterLapse(request(key("k1")));
        assertThat(store.release(b.key(), b.token(), LONG)).isEqualTo(WriteResult.APPLIED);
        Claim c = acquire(request(key("k1")));
        assertThat(b.token()).isGreaterThan(a.token());
        assertThat(c.token()).isGreaterThan(b.token());
        assertThat(complete(a, new byte[] {1}))
                .as("stale A completing as if it were C")
                .isEqualTo(WriteResult.FENCED);
        assertThat(complete(b, new byte[] {1})).isEqualTo(WriteResult.FENCED);
        assertThat(complete(c, new byte[] {1})).isEqualTo(WriteResult.APPLIED);
    }

    /**
     * DESIGN §8: tokens keep rising even after the record itself expired, so a worker paused past both is still fenced.
     */
    @Test
    void tokens_keep_rising_after_the_record_expired_and_the_first_owner_is_fenced() {
        Duration brief = Duration.ofMillis(100);
        ClaimRequest briefRequest = ClaimRequest.of(key("k1"), brief, brief);
        Claim first = acquire(briefRequest);
        // Past the lease and the retention after it: the record itself is gone, by the store's clock.
        time().advance(brief.plus(brief).plusMillis(50));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(25)).until(() -> store.find(first.key())
                .isEmpty());
        Claim second = acquire(briefRequest);
        assertThat(second.token()).as("token after expiry").isGreaterThan(first.token());
        assertThat(store.complete(
                        new Completion(first.key(), first.token(), OutcomeStatus.SUCCEEDED, new byte[] {1}, LONG)))
                .as("the first owner, paused past lease and retention, completing")
                .isEqualTo(WriteResult.FENCED);
        assertThat(store.complete(
                        new Completion(second.key(), second.token(), OutcomeStatus.SUCCEEDED, new byte[] {2}, LONG)))
                .isEqualTo(WriteResult.APPLIED);
    }

    /** A release (the handler failed) frees the key at once for a retry, and the released token is spent. */
    @Test
    void a_released_key_is_acquired_again_by_the_next_claim_on_the_next_attempt() {
        // a release keeps the record (RELEASED) with its token, so the next token is still higher
        Claim first = acquire(request(key("k1")));
        assertThat(store.release(first.key(), first.token(), LONG)).isEqualTo(WriteResult.APPLIED);
        assertThat(store.find(first.key()).orElseThrow().state()).isEqualTo(RecordState.RELEASED);
        Claim second = acquire(request(key("k1")));
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(store.release(first.key(), first.token(), LONG)).isEqualTo(WriteResult.FENCED);
    }

    /**
     * A long handler renews; the renewed key must outlive its original lease by the store's clock, judged by a probe key.
     */
    @Test
    void renewal_extends_the_lease_and_a_renewed_key_is_not_taken_over() {
        Claim claim = acquire(shortLease(key("k1")));
        acquire(shortLease(key("probe")));
        assertThat(store.renew(claim.key(), claim.token(), LONG)).isEqualTo(WriteResult.APPLIED);
        assertThat(store.find(claim.key()).orElseThrow().leaseUntil().orElseThrow())
                .isAfter(claim.leaseUntil());
        // Once the probe's equally short lease has lapsed by the store's clock, the original lease has too.
        acquireAfterLapse(shortLease(key("probe")));
        assertThat(store.claim(shortLease(key("k1")))).isInstanceOf(ClaimResult.InProgress.class);
        assertThat(complete(claim, new byte[0])).isEqualTo(WriteResult.APPLIED);
    }

    /** Writes on a key nobody holds change nothing, and completing twice does not overwrite the first outcome. */
    @Test
    void writes_on_absent_or_completed_keys_are_refused() {
        // no record: no token can be current, so nothing may be written
        assertThat(store.renew(key("absent"), 1, LONG)).isEqualTo(WriteResult.FENCED);
        assertThat(store.release(key("absent"), 1, LONG)).isEqualTo(WriteResult.FENCED);
        Claim claim = acquire(request(key("k1")));
        assertThat(complete(claim, new byte[0])).isEqualTo(WriteResult.APPLIED);
        assertThat(complete(claim, new byte[0])).as("completing twice").isEqualTo(WriteResult.FENCED);
        assertThat(store.renew(claim.key(), claim.token(), LONG)).isEqualTo(WriteResult.FENCED);
        assertThat(store.release(claim.key(), claim.token(), LONG)).isEqualTo(WriteResult.FENCED);
        assertThat(store.claim(request(key("k1")))).isInstanceOf(ClaimResult.Duplicate.class);
    }
}
