package io.dedup.internal;

import io.dedup.DedupResult;
import io.dedup.IdempotencyConflictException;
import io.dedup.KeyInProgressException;
import io.dedup.LeaseLostException;

/**
 * The contract of a handler decorated by {@code DedupConsumer.decorate}: it returns normally when the message is done
 * (processed, a duplicate, or run unguarded under fail-open) and throws the exception that names every other result,
 * so that a caller who acks on normal return never acks a message that still needs work.
 *
 * <p>Thread-safe: stateless.
 */
public final class ResultExceptions {
    private ResultExceptions() {}

    /**
     * Returns when {@code result} is done, else throws: the handler's own exception unchanged when it failed, {@link
     * KeyInProgressException}, {@link LeaseLostException}, {@link IdempotencyConflictException}, the rejection's
     * reason, or the store's {@link io.dedup.DedupStoreUnavailableException}.
     */
    public static void throwUnlessDone(DedupResult<?> result) throws Exception {
        if (result instanceof DedupResult.Processed
                || result instanceof DedupResult.Duplicate
                || result instanceof DedupResult.Unguarded) {
            return;
        }
        if (result instanceof DedupResult.Failed<?> failed) {
            throw failed.error();
        }
        if (result instanceof DedupResult.InProgress<?> inProgress) {
            throw new KeyInProgressException(inProgress.key(), inProgress.leaseUntil());
        }
        if (result instanceof DedupResult.Fenced<?> fenced) {
            throw new LeaseLostException(fenced.claim().key(), fenced.claim().token());
        }
        if (result instanceof DedupResult.Conflict<?> conflict) {
            throw new IdempotencyConflictException(conflict.key());
        }
        if (result instanceof DedupResult.Rejected<?> rejected) {
            throw rejected.reason();
        }
        throw ((DedupResult.Unavailable<?>) result).cause();
    }
}
