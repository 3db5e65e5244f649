package io.dedup.memory;

import io.dedup.DedupKey;
import io.dedup.Outcome;
import io.dedup.OutcomeStatus;
import io.dedup.spi.RecordState;
import io.dedup.spi.StoredRecord;
import java.time.Instant;
import java.util.Optional;

/**
 * One key's record in the {@link InMemoryDedupStore}. Kept flat (no Outcome or Instant objects) because millions of
 * them may be retained: for a completed key, {@code leaseUntil} holds the completion time and the outcome is built
 * when a duplicate asks. Times are the store clock's epoch milliseconds.
 *
 * <p>Immutable and thread-safe; the body array is the store's own copy and never handed out unwrapped.
 */
record MemoryRecord(
        RecordState state,
        long token,
        int attempts,
        long leaseUntil,
        long expiresAt,
        String fingerprint,
        OutcomeStatus status,
        byte[] body) {

    /** A record held by {@code token} until {@code leaseUntil}, kept for {@code retention} after the lease. */
    static MemoryRecord inProgress(long token, int attempts, long leaseUntil, long retention, String fingerprint) {
        return new MemoryRecord(
                RecordState.IN_PROGRESS, token, attempts, leaseUntil, leaseUntil + retention, fingerprint, null, null);
    }

    boolean expired(long now) {
        return expiresAt <= now;
    }

    /**
     * Held by {@code token}: in progress, not expired, and the token is current. A lapsed lease not yet taken over
     * still counts: nobody else has acquired the key, and a takeover's new token would fence this one.
     */
    boolean heldBy(long token, long now) {
        return state == RecordState.IN_PROGRESS && this.token == token && !expired(now);
    }

    Outcome outcome() {
        return Outcome.wrap(status, body, Instant.ofEpochMilli(leaseUntil));
    }

    /** This record as the SPI reports it. */
    StoredRecord toStored(DedupKey key) {
        return new StoredRecord(
                key,
                state,
                token,
                attempts,
                state == RecordState.IN_PROGRESS ? Optional.of(Instant.ofEpochMilli(leaseUntil)) : Optional.empty(),
                Instant.ofEpochMilli(expiresAt),
                Optional.ofNullable(fingerprint),
                state == RecordState.COMPLETED ? Optional.of(outcome()) : Optional.empty());
    }
}
