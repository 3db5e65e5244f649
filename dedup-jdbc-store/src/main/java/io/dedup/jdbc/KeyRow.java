package io.dedup.jdbc;

import io.dedup.Claim;
import io.dedup.DedupKey;
import io.dedup.DedupStoreCorruptionException;
import io.dedup.Outcome;
import io.dedup.OutcomeStatus;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.RecordState;
import io.dedup.spi.StoredRecord;
import java.time.Instant;
import java.util.Optional;

/**
 * A key's row as a statement saw it, with the database's clock at that statement. {@code acquired} says the
 * statement itself acquired the key; then only token, attempts and leaseUntil need be set. Times are the
 * database's, and every decision here compares them with {@code now}, the database's clock at the same statement,
 * never with this process's clock. Immutable (the outcome body is not copied: rows are read once and dropped).
 *
 * @param key the key as stored
 * @param acquired whether the statement that read the row acquired the key
 * @param state {@code IN_PROGRESS}, {@code RELEASED} or {@code COMPLETED}
 * @param token the fencing token of the last acquisition; kept through release and completion
 * @param attempts acquisitions since the row was created or revived after expiry
 * @param leaseUntil when the holder's lease ends; null unless in progress
 * @param expiresAt when the row stops counting: lease plus retention from the claim, retention from a release or
 *     completion
 * @param fingerprint the payload fingerprint of the last claim, if it had one
 * @param outcomeStatus {@code SUCCEEDED} or {@code FAILED}; null unless completed
 * @param outcomeBody the stored outcome; null unless completed
 * @param completedAt when the key completed; null unless completed
 * @param now the database's clock at the statement that read the row
 */
record KeyRow(
        DedupKey key,
        boolean acquired,
        String state,
        long token,
        int attempts,
        Instant leaseUntil,
        Instant expiresAt,
        String fingerprint,
        String outcomeStatus,
        byte[] outcomeBody,
        Instant completedAt,
        Instant now) {

    /**
     * What a claim of {@code request} answers given this row, exactly as the reference store decides; null when the
     * row is claimable yet the statement did not acquire it (it changed concurrently: claim again).
     *
     * @param request the request as stored (see {@link StoredText})
     * @param requested the key to answer with, as the caller gave it
     * @throws DedupStoreCorruptionException if the row cannot be read
     */
    ClaimResult answer(ClaimRequest request, DedupKey requested) {
        if (acquired) {
            if (token <= 0 || attempts <= 0 || leaseUntil == null) {
                throw corrupt(requested, "acquired with token " + token + ", attempt " + attempts);
            }
            return new ClaimResult.Acquired(new Claim(requested, token, attempts, leaseUntil));
        }
        if (expiresAt == null || now == null) {
            throw corrupt(requested, "no expiry");
        }
        // The statement saw an expired row it could have taken but did not: a concurrent claim changed it first.
        if (!expiresAt.isAfter(now)) {
            return null;
        }
        // A conflict only when both sides have a fingerprint: a claim without one never conflicts, as in the
        // reference store.
        String wanted = request.fingerprint().orElse(null);
        if (wanted != null && fingerprint != null && !wanted.equals(fingerprint)) {
            return new ClaimResult.Conflict(requested);
        }
        switch (state(requested)) {
            case COMPLETED:
                return new ClaimResult.Duplicate(requested, outcome(requested));
            case IN_PROGRESS:
                if (leaseUntil == null) {
                    throw corrupt(requested, "in progress without a lease");
                }
                // A lapsed lease is claimable: not acquired means someone else took it over in the meantime.
                return leaseUntil.isAfter(now)
                        ? new ClaimResult.InProgress(requested, leaseUntil, Math.max(0, token))
                        : null;
            default: // RELEASED is always claimable, so not acquired means it changed concurrently
                return null;
        }
    }

    /**
     * The row as a {@link StoredRecord} of {@code requested}.
     *
     * @throws DedupStoreCorruptionException if the row breaks an invariant every write keeps
     */
    StoredRecord record(DedupKey requested) {
        RecordState recordState = state(requested);
        if (recordState == RecordState.IN_PROGRESS && leaseUntil == null) {
            throw corrupt(requested, "in progress without a lease");
        }
        if (token <= 0 || attempts <= 0 || expiresAt == null) {
            throw corrupt(requested, "token " + token + ", attempts " + attempts + ", expiry " + expiresAt);
        }
        return new StoredRecord(
                requested,
                recordState,
                token,
                attempts,
                recordState == RecordState.IN_PROGRESS ? Optional.of(leaseUntil) : Optional.empty(),
                expiresAt,
                Optional.ofNullable(fingerprint),
                recordState == RecordState.COMPLETED ? Optional.of(outcome(requested)) : Optional.empty());
    }

    /** The state column, which only the store writes; anything else in it is corruption, not a new key. */
    private RecordState state(DedupKey requested) {
        if (state == null) {
            throw corrupt(requested, "no state");
        }
        try {
            return RecordState.valueOf(state);
        } catch (IllegalArgumentException e) {
            throw corrupt(requested, "unknown state '" + state + "'");
        }
    }

    /** A completed row's outcome; a completed row without one is corrupt (completion writes all three at once). */
    private Outcome outcome(DedupKey requested) {
        if (outcomeStatus == null || outcomeBody == null || completedAt == null) {
            throw corrupt(requested, "completed without an outcome");
        }
        OutcomeStatus status;
        try {
            status = OutcomeStatus.valueOf(outcomeStatus);
        } catch (IllegalArgumentException e) {
            throw corrupt(requested, "unknown outcome status '" + outcomeStatus + "'");
        }
        return Outcome.wrap(status, outcomeBody, completedAt);
    }

    private static DedupStoreCorruptionException corrupt(DedupKey key, String reason) {
        return new DedupStoreCorruptionException(key, reason);
    }
}
