package io.dedup.spi;

import io.dedup.DedupKey;
import io.dedup.Outcome;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What a store holds for a key, for inspection ({@link DedupStore#find}): tests, the contract kit and operators
 * read it; the claim path never decides on it, since it may be stale by the time it is read. Immutable.
 *
 * @param key the key
 * @param state the record's state
 * @param token the last fencing token handed out for the key
 * @param attempts how many times the key has been acquired
 * @param leaseUntil the end of the lease, for IN_PROGRESS records
 * @param expiresAt when the record itself expires, by the store's clock
 * @param fingerprint the payload fingerprint stored with the claim, if any
 * @param outcome the outcome, for COMPLETED records
 */
public record StoredRecord(
        DedupKey key,
        RecordState state,
        long token,
        int attempts,
        Optional<Instant> leaseUntil,
        Instant expiresAt,
        Optional<String> fingerprint,
        Optional<Outcome> outcome) {
    public StoredRecord {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Objects.requireNonNull(outcome, "outcome");
    }
}
