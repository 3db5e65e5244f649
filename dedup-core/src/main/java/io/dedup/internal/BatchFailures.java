package io.dedup.internal;

import io.dedup.DedupException;
import io.dedup.DedupResult;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.ResultHandler;
import io.dedup.internal.DedupMetrics.Result;
import java.util.Optional;

/**
 * How a {@link DedupBatch} settles an entry whose handler did not succeed: a failure (the key released, or marked
 * failed on the final attempt), a takeover found by a step (fenced: the new holder settles the key), a handler
 * {@code Error} (DESIGN §6: the key goes back, nothing of it is recorded, the Error travels on unchanged), and a run
 * without a claim under the fail-open policy.
 *
 * <p>Thread-safe: entries change under the batch's lock; handlers run outside it.
 */
final class BatchFailures<M> {
    private final DedupBatch<M> batch;

    BatchFailures(DedupBatch<M> batch) {
        this.batch = batch;
    }

    /** A handler run that did not succeed: fenced when a step found its claim taken over, otherwise failed. */
    <R> DedupResult<R> unsuccessful(BatchEntry<M> item, HandlerRun<R> run, boolean finalAttempt) {
        if (batch.kind() != BatchKind.STORE_TRANSACTION && HandlerRunner.lostBy(run.error, item.claim)) {
            // a step found the claim taken over: the key's new holder settles it; no release, no retry, no dead letter
            item.closeTicket();
            batch.engine().metrics().result(Result.FENCED);
            synchronized (batch) {
                batch.settle(item, new DedupResult.Fenced<>(item.claim, null));
            }
            return DedupBatch.cast(item.result);
        }
        DedupResult<R> failed = failed(item, run, finalAttempt);
        synchronized (batch) {
            batch.settle(item, failed);
        }
        return failed;
    }

    /** Runs a handler without a claim: the store could not answer and the policy is fail-open. */
    <R> DedupResult<R> runUnguarded(BatchEntry<M> item, ResultHandler<? super M, ? extends R> handler) {
        DedupStoreUnavailableException cause = ((DedupResult.Unavailable<?>) item.result).cause();
        batch.engine().metrics().result(Result.UNGUARDED);
        batch.engine().warnUnguarded(cause);
        DedupResult<R> result;
        CurrentClaim.Frame previous = CurrentClaim.setUnguarded(batch.engine().metrics());
        try {
            result = new DedupResult.Unguarded<>(Optional.ofNullable(item.key), handler.handle(item.message()), cause);
        } catch (Exception e) {
            result = new DedupResult.Failed<>(item.key, Optional.empty(), e, 1, false);
        } catch (Error error) {
            synchronized (batch) {
                batch.settle(item, new DedupResult.Failed<>(item.key, Optional.empty(), asException(error), 1, false));
            }
            throw error;
        } finally {
            CurrentClaim.restore(previous);
        }
        synchronized (batch) {
            batch.settle(item, result);
        }
        return result;
    }

    /** The handler threw an Error: its key goes back (nothing of it is recorded), then the Error travels on. */
    void handlerError(BatchEntry<M> item, Error error) {
        item.closeTicket();
        batch.engine().metrics().result(Result.FAILED);
        if (batch.kind() != BatchKind.STORE_TRANSACTION) {
            batch.engine().writes().releaseQuietly(item.claim);
        }
        synchronized (batch) {
            batch.settle(
                    item, new DedupResult.Failed<>(item.key, Optional.of(item.claim), asException(error), 1, false));
        }
    }

    private static Exception asException(Error error) {
        return new DedupException("the handler threw " + error, error);
    }

    private <R> DedupResult<R> failed(BatchEntry<M> item, HandlerRun<R> run, boolean finalAttempt) {
        item.closeTicket(); // released next: renewing it would look like a takeover
        batch.engine().metrics().result(Result.FAILED);
        boolean marked = false;
        if (batch.kind() != BatchKind.STORE_TRANSACTION) {
            marked = batch.engine().writes().releaseOrMarkFailed(item.claim, run.error, finalAttempt);
        } // in a store transaction the key is released within it when it commits, or vanishes with its rollback
        return new DedupResult.Failed<>(item.key, Optional.of(item.claim), run.error, run.attempts, marked);
    }
}
