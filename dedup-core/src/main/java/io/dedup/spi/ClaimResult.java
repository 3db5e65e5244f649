package io.dedup.spi;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.DedupStoreException;
import io.dedup.Outcome;
import java.time.Instant;
import java.util.Objects;

/**
 * What a store answered to a claim. Exactly one of:
 *
 * <ul>
 *   <li>{@link Acquired}: the caller now holds the key, with a lease and a fencing token;
 *   <li>{@link Duplicate}: the key completed earlier; its stored outcome is attached;
 *   <li>{@link InProgress}: another holder has a live lease;
 *   <li>{@link Conflict}: the key is completed or held with a different payload fingerprint;
 *   <li>{@link Failed}: only in batch answers, the store could not answer for this key (for example one cluster
 *       node was down); nothing was decided about it.
 * </ul>
 *
 * <p>Immutable records. A store answers a single claim's failure by throwing instead; {@code Failed} exists so that
 * one bad key or node does not fail the whole batch.
 */
public sealed interface ClaimResult {
    /** The key this answer is for. */
    DedupKey key();

    /** The caller holds the key. */
    record Acquired(Claim claim) implements ClaimResult {
        public Acquired {
            Objects.requireNonNull(claim, "claim");
        }

        @Override
        public DedupKey key() {
            return claim.key();
        }
    }

    /** The key completed earlier, with this outcome. */
    record Duplicate(DedupKey key, Outcome outcome) implements ClaimResult {
        public Duplicate {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(outcome, "outcome");
        }
    }

    /**
     * Another holder has a live lease, ending at {@code leaseUntil} by the store's clock. {@code holderToken} is the
     * holder's fencing token when the store read it, 0 when unknown; it lets operators see which claim holds a key.
     */
    record InProgress(DedupKey key, Instant leaseUntil, long holderToken) implements ClaimResult {
        public InProgress {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(leaseUntil, "leaseUntil");
            if (holderToken < 0) {
                throw new IllegalArgumentException("holderToken must not be negative, got " + holderToken);
            }
        }

        /** A holder whose token the store did not read. */
        public InProgress(DedupKey key, Instant leaseUntil) {
            this(key, leaseUntil, 0);
        }
    }

    /** The key is held or completed with a different fingerprint. */
    record Conflict(DedupKey key) implements ClaimResult {
        public Conflict {
            Objects.requireNonNull(key, "key");
        }
    }

    /** In a batch answer: the store could not answer for this key. */
    record Failed(DedupKey key, DedupStoreException cause) implements ClaimResult {
        public Failed {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(cause, "cause");
        }
    }
}
