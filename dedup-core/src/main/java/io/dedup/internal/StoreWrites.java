package io.dedup.internal;

import io.dedup.Claim;
import io.dedup.DedupException;
import io.dedup.DedupStoreCorruptionException;
import io.dedup.DedupStoreException;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.FailurePolicy;
import io.dedup.OutcomeStatus;
import io.dedup.internal.DedupMetrics.StoreOperation;
import io.dedup.spi.Completion;
import io.dedup.spi.WriteResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's writes after a claim, outside a store transaction: completions with a few quick retries (a retried one
 * answered fenced is confirmed, since the earlier try may have taken effect), releases of keys given back, and the
 * failed mark of a final attempt. A store failure here never throws into a handler's path: the completion is
 * reported as not recorded (and kept by the caller), the release is left to the lease's end.
 *
 * <p>Thread-safe: stateless beyond the store it calls.
 */
final class StoreWrites {
    private static final Logger LOG = LoggerFactory.getLogger(StoreWrites.class);
    private static final int COMPLETION_TRIES = 3;
    private static final long COMPLETION_RETRY_MILLIS = 50;

    private final EngineSettings<?> settings;
    private final StoreCalls store;
    private final DedupMetrics metrics;

    StoreWrites(EngineSettings<?> settings, StoreCalls store, DedupMetrics metrics) {
        this.settings = settings;
        this.store = store;
        this.metrics = metrics;
    }

    /** Releases a failed key, or marks it failed on the final attempt under MARK_FAILED; true when marked. */
    boolean releaseOrMarkFailed(Claim claim, Exception error, boolean finalAttempt) {
        if (!finalAttempt || settings.shared().failurePolicy() != FailurePolicy.MARK_FAILED) {
            release(claim, "a failed key");
            return false;
        }
        try {
            byte[] reason = describe(error).getBytes(StandardCharsets.UTF_8);
            return store.complete(new Completion(
                            claim.key(),
                            claim.token(),
                            OutcomeStatus.FAILED,
                            reason,
                            settings.shared().retention()))
                    == WriteResult.APPLIED;
        } catch (DedupStoreException e) {
            leftToLease(claim, "a failed key", e);
            return false;
        }
    }

    /** Gives a key back; a store failure only means the key is retried after its lease. Never throws. */
    void releaseQuietly(Claim claim) {
        release(claim, "a key");
    }

    /**
     * Releases {@code claim}'s key; a refusal means the claim was taken over (counted as fenced), a store failure
     * that the key waits out its lease instead (logged). Never throws: the caller's message has its result already.
     */
    private void release(Claim claim, String what) {
        try {
            if (store.release(claim.key(), claim.token(), settings.shared().retention()) != WriteResult.APPLIED) {
                metrics.fenced(StoreOperation.RELEASE);
            }
        } catch (DedupStoreException e) {
            leftToLease(claim, what, e);
        }
    }

    /** The key stays held until its lease ends, then a redelivery takes it over: slower, never wrong. */
    private static void leftToLease(Claim claim, String what, DedupStoreException e) {
        LOG.warn(
                "could not release {} of namespace {}; it is retried after its lease ends: {}",
                what,
                claim.key().namespace(),
                e.toString());
    }

    private static String describe(Exception error) {
        String message = error.getMessage();
        String text = error.getClass().getName() + (message == null ? "" : ": " + message);
        return text.length() > 1000 ? text.substring(0, 1000) : text;
    }

    /** Null when the store stayed unavailable; then every completion counts as not recorded. */
    List<WriteResult> completeAllWithRetry(List<Completion> completions) {
        for (int tryNo = 1; ; tryNo++) {
            try {
                List<WriteResult> written = completions.size() == 1
                        ? List.of(store.complete(completions.get(0)))
                        : store.completeAll(completions);
                if (written.size() != completions.size()) {
                    throw new DedupStoreUnavailableException(
                            "store answered " + written.size() + " results for " + completions.size() + " completions");
                }
                if (tryNo > 1) {
                    List<WriteResult> confirmed = new ArrayList<>(written.size());
                    for (int i = 0; i < written.size(); i++) {
                        confirmed.add(confirmRetried(completions.get(i), written.get(i)));
                    }
                    return confirmed;
                }
                return written;
            } catch (DedupStoreCorruptionException e) {
                List<WriteResult> failed = new ArrayList<>(completions.size());
                completions.forEach(c -> failed.add(new WriteResult.Failed(e)));
                return failed;
            } catch (DedupStoreUnavailableException e) {
                if (tryNo >= COMPLETION_TRIES) {
                    LOG.warn(
                            "could not record {} completions; they are kept and written once the store answers: {}",
                            completions.size(),
                            e.toString());
                    return null;
                }
                sleep(COMPLETION_RETRY_MILLIS * tryNo);
            }
        }
    }

    /**
     * A retried completion answered FENCED may have taken effect on the earlier try whose answer was lost: the
     * record is then COMPLETED under this very token, which is success, not a lost lease.
     */
    private WriteResult confirmRetried(Completion completion, WriteResult written) {
        if (written != WriteResult.FENCED) {
            return written;
        }
        try {
            return settings.store()
                            .find(completion.key())
                            .filter(r ->
                                    r.state() == io.dedup.spi.RecordState.COMPLETED && r.token() == completion.token())
                            .isPresent()
                    ? WriteResult.APPLIED
                    : written;
        } catch (DedupStoreException e) {
            return written; // cannot tell: fenced is the safe answer (the message is deferred, then a duplicate)
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DedupException("interrupted while waiting to retry", e);
        }
    }
}
