package io.dedup.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.Outcome;
import io.dedup.OutcomeStatus;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.WriteResult;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What a single claim answers (DESIGN §1): the first claim of a key acquires it with a positive token; a claim of a
 * held key is in progress and names the holder's token and lease; a completed key is a duplicate carrying its
 * outcome; a key claimed with another payload fingerprint is a conflict.
 *
 * <p>One layer of {@link DedupStoreContract}; a store's test extends that class, not this one. JUnit creates one
 * instance per test, so the instance is confined to the test's thread except where a case starts its own threads.
 *
 * <p>Not thread-safe: JUnit runs one test case at a time on each instance.
 */
public abstract class ClaimContract extends StoreContractFixture {
    /** Adapters hand the token to handlers and downstream systems as a fence; zero or negative would read as "none". */
    @Test
    void first_claim_acquires_with_a_positive_token_on_attempt_one() {
        Claim claim = acquire(request(key("k1")));
        assertThat(claim.token()).isPositive();
        assertThat(claim.attempt()).isEqualTo(1);
        assertThat(claim.key()).isEqualTo(key("k1"));
    }

    /**
     * The answer names the lease end so that an adapter can defer the duplicate delivery until then, not spin on it.
     */
    @Test
    void a_second_claim_while_held_is_in_progress_until_the_lease_end() {
        Claim first = acquire(request(key("k1")));
        assertThat(inProgress(request(key("k1"))).leaseUntil()).isEqualTo(first.leaseUntil());
    }

    /**
     * A held key is in progress with the holder's token, also when the holder is an earlier element of the same batch:
     * batch stores that claim all keys at once tend to lose that order.
     */
    @Test
    void a_claim_of_a_held_key_names_the_holders_token_alone_and_in_a_batch() {
        Claim first = acquire(request(key("held")));
        assertThat(inProgress(request(key("held"))).holderToken()).isEqualTo(first.token());

        List<ClaimResult> batch =
                store.claimAll(List.of(request(key("held")), request(key("fresh")), request(key("fresh"))));
        assertThat(batch.stream().map(StoreContractFixture::kind).toList())
                .containsExactly("InProgress", "Acquired", "InProgress");
        assertThat(((ClaimResult.InProgress) batch.get(0)).holderToken()).isEqualTo(first.token());
        Claim fresh = ((ClaimResult.Acquired) batch.get(1)).claim();
        // the repeat inside the batch is held by the claim the same batch made
        assertThat(((ClaimResult.InProgress) batch.get(2)).holderToken()).isEqualTo(fresh.token());
    }

    /**
     * After a takeover the record must name the new holder, or a deferred duplicate would wait on a dead worker's token.
     */
    @Test
    void after_a_takeover_a_held_key_names_the_new_holders_token() {
        Claim first = acquire(shortLease(key("k1")));
        // after the takeover, a third claimer must be told about the live holder, not the dead one
        Claim second = acquireAfterLapse(request(key("k1")));
        assertThat(inProgress(request(key("k1"))).holderToken())
                .isEqualTo(second.token())
                .isNotEqualTo(first.token());
    }

    /** G2: the duplicate's answer carries the stored outcome, so an RPC reply can be replayed without the handler. */
    @Test
    void a_completed_key_is_a_duplicate_carrying_its_outcome() {
        Claim claim = acquire(request(key("k1")));
        assertThat(complete(claim, new byte[] {1, 2, 3})).isEqualTo(WriteResult.APPLIED);
        ClaimResult again = store.claim(request(key("k1")));
        assertThat(again).isInstanceOf(ClaimResult.Duplicate.class);
        Outcome outcome = ((ClaimResult.Duplicate) again).outcome();
        assertThat(outcome.status()).isEqualTo(OutcomeStatus.SUCCEEDED);
        assertThat(outcome.body()).containsExactly(1, 2, 3);
    }

    /**
     * A key reused for other content is a conflict while held and after completion; the same or no fingerprint is not.
     */
    @Test
    void a_key_reused_with_a_different_fingerprint_is_a_conflict() {
        DedupKey k = key("k1");
        Claim claim = acquire(new ClaimRequest(k, LONG, LONG, Optional.of("fp-A")));
        assertThat(store.claim(new ClaimRequest(k, LONG, LONG, Optional.of("fp-B"))))
                .as("while held")
                .isInstanceOf(ClaimResult.Conflict.class);
        assertThat(store.claim(new ClaimRequest(k, LONG, LONG, Optional.of("fp-A"))))
                .isInstanceOf(ClaimResult.InProgress.class);
        // the stored fingerprint outlives the holding: a reuse after completion is a conflict too
        complete(claim, new byte[0]);
        assertThat(store.claim(new ClaimRequest(k, LONG, LONG, Optional.of("fp-B"))))
                .as("after completion")
                .isInstanceOf(ClaimResult.Conflict.class);
        assertThat(store.claim(new ClaimRequest(k, LONG, LONG, Optional.of("fp-A"))))
                .isInstanceOf(ClaimResult.Duplicate.class);
        assertThat(store.claim(request(k))).as("no fingerprint given").isInstanceOf(ClaimResult.Duplicate.class);
    }
}
