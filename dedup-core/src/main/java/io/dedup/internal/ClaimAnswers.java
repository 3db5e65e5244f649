package io.dedup.internal;

import io.dedup.DedupResult;
import io.dedup.DedupStoreCorruptionException;
import io.dedup.DedupStoreException;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.internal.DedupMetrics.Result;
import io.dedup.spi.ClaimResult;
import java.util.Optional;

/**
 * The {@link DedupResult} of a claim the store did not grant (duplicate, in progress, conflict, failed), each counted
 * once in the metrics. An in-progress key is also noted in {@link HeldKeys}, which reports keys held elsewhere.
 *
 * <p>Thread-safe: stateless beyond the thread-safe metrics and held keys.
 *
 * @param metrics where each answer is counted
 * @param held where in-progress keys are noted
 */
record ClaimAnswers(DedupMetrics metrics, HeldKeys held) {

    /** The result of a claim that was not acquired. */
    <R> DedupResult<R> settled(ClaimResult claim) {
        if (claim instanceof ClaimResult.Duplicate duplicate) {
            metrics.result(Result.DUPLICATE);
            return new DedupResult.Duplicate<>(duplicate.key(), duplicate.outcome());
        }
        if (claim instanceof ClaimResult.InProgress inProgress) {
            metrics.result(Result.IN_PROGRESS);
            held.held(inProgress.key(), inProgress.holderToken(), inProgress.leaseUntil());
            return new DedupResult.InProgress<>(inProgress.key(), inProgress.leaseUntil());
        }
        if (claim instanceof ClaimResult.Conflict conflict) {
            metrics.result(Result.CONFLICT);
            return new DedupResult.Conflict<>(conflict.key());
        }
        ClaimResult.Failed failed = (ClaimResult.Failed) claim;
        // a corrupt record is bad input for this one key (dead letter), not an outage that should stop the consumer
        if (failed.cause() instanceof DedupStoreCorruptionException corrupt) {
            metrics.result(Result.CORRUPT);
            return new DedupResult.Rejected<>(corrupt);
        }
        metrics.result(Result.UNAVAILABLE);
        return new DedupResult.Unavailable<>(Optional.of(failed.key()), asUnavailable(failed.cause()), false);
    }

    /** Any store failure as the one exception adapters act on (back off, then retry). */
    static DedupStoreUnavailableException asUnavailable(DedupStoreException cause) {
        return cause instanceof DedupStoreUnavailableException u
                ? u
                : new DedupStoreUnavailableException(cause.getMessage(), cause);
    }
}
