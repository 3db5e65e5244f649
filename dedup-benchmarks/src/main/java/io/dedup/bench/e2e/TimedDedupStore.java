package io.dedup.bench.e2e;

import io.dedup.DedupKey;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link DedupStore} decorator through which this library's arms see their store, so they are timed and
 * followed exactly like the Camel arms, whatever runner drives them. It
 *
 * <ul>
 *   <li>charges each message the calls made for its key: its claim, then its completion or release; a batch call
 *       is charged in full to every message in it, since each waited for the whole round trip;
 *   <li>records a message's total in {@link StoreTimings} once the message is decided: a duplicate (or conflict,
 *       or failed) answer to its claim, or its completion; a message answered "in progress" (its key repeated in
 *       the same batch) keeps its charge until it is retried;
 *   <li>reports progress: the clock starts at the first claim, and a message is done when its claim says
 *       duplicate or its completion is applied;
 *   <li>counts each call into the store once, a batch call included.
 * </ul>
 *
 * <p>Capabilities of the delegate (such as transactions) are not passed through: the benchmark measures the
 * leased mode. Thread-safe if the delegate is.
 */
public final class TimedDedupStore implements DedupStore {
    /** The store being timed. */
    private final DedupStore delegate;
    /** Where each message's store time and each call go. */
    private final StoreTimings timings;
    /** Where decided messages are reported done. */
    private final Progress progress;
    /**
     * Nanoseconds charged so far to each message not yet decided (acquired, or in progress behind a repeat of its key).
     */
    private final Map<DedupKey, Long> pending = new ConcurrentHashMap<>();
    /** Duplicates the store answered itself; {@link InBatchRepeats} adds those core answered. */
    private final java.util.concurrent.atomic.AtomicLong duplicates = new java.util.concurrent.atomic.AtomicLong();

    /** Times {@code delegate} into {@code run}'s store timings and progress. */
    public TimedDedupStore(DedupStore delegate, ArmRun run) {
        this(delegate, run.storeTimings(), run.progress());
    }

    TimedDedupStore(DedupStore delegate, StoreTimings timings, Progress progress) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.timings = Objects.requireNonNull(timings, "timings");
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /** One claim: a round trip charged to its message alone. */
    @Override
    public ClaimResult claim(ClaimRequest request) {
        progress.started();
        long start = System.nanoTime();
        ClaimResult result = delegate.claim(request);
        claimed(result, System.nanoTime() - start);
        return result;
    }

    /** A batch claim: one round trip, charged in full to every message in it, since each waited for all of it. */
    @Override
    public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
        // the clock starts at the first claim, as the Camel arms' clock starts at the first exchange
        progress.started();
        long start = System.nanoTime();
        List<ClaimResult> results = delegate.claimAll(requests);
        long nanos = System.nanoTime() - start;
        timings.call();
        for (ClaimResult result : results) {
            settle(result, nanos);
        }
        return results;
    }

    /** Counts a single claim's call and settles its answer. */
    private void claimed(ClaimResult result, long nanos) {
        timings.call();
        settle(result, nanos);
    }

    /** Charges {@code nanos} to the claimed message and, if the claim decided it, records its total and progress. */
    private void settle(ClaimResult result, long nanos) {
        // acquired: the completion will decide it; in progress: a repeat in the same batch, retried later
        if (result instanceof ClaimResult.Acquired || result instanceof ClaimResult.InProgress) {
            pending.merge(result.key(), nanos, Long::sum);
            return;
        }
        // duplicate, conflict or failed: the claim decided the message
        timings.message(takePending(result.key()) + nanos);
        if (result instanceof ClaimResult.Duplicate) {
            duplicates.incrementAndGet();
            progress.delivered();
        }
    }

    /** Duplicates the store answered (core also answers in-batch repeats itself: see {@link InBatchRepeats}). */
    long duplicates() {
        return duplicates.get();
    }

    /** A completion: the message's last store call; its total is recorded and, if applied, the message is done. */
    @Override
    public WriteResult complete(Completion completion) {
        long start = System.nanoTime();
        WriteResult result = delegate.complete(completion);
        timings.call();
        completed(completion.key(), result, System.nanoTime() - start);
        return result;
    }

    /** A batch of completions: one round trip, charged to each message completed in it. */
    @Override
    public List<WriteResult> completeAll(List<Completion> completions) {
        long start = System.nanoTime();
        List<WriteResult> results = delegate.completeAll(completions);
        long nanos = System.nanoTime() - start;
        timings.call();
        for (int i = 0; i < completions.size(); i++) {
            completed(completions.get(i).key(), results.get(i), nanos);
        }
        return results;
    }

    /** Records the message's total store time; it counts as delivered only if the store applied the completion. */
    private void completed(DedupKey key, WriteResult result, long nanos) {
        timings.message(takePending(key) + nanos);
        if (result == WriteResult.APPLIED) {
            progress.delivered();
        }
    }

    /** A release (the handler failed): the message's attempt ends here, its time is recorded, and it is not done. */
    @Override
    public WriteResult release(DedupKey key, long token, Duration retention) {
        long start = System.nanoTime();
        WriteResult result = delegate.release(key, token, retention);
        timings.call();
        timings.message(takePending(key) + System.nanoTime() - start);
        return result;
    }

    /** Counted but charged to no message: renewal runs beside the handlers, not on a message's path. */
    @Override
    public WriteResult renew(DedupKey key, long token, Duration lease) {
        timings.call();
        return delegate.renew(key, token, lease);
    }

    /** Counted but charged to no message; the runners do not call it on a message's path. */
    @Override
    public Optional<StoredRecord> find(DedupKey key) {
        timings.call();
        return delegate.find(key);
    }

    /** Removes and returns what was charged to {@code key}'s message so far (0 if nothing). */
    private long takePending(DedupKey key) {
        Long nanos = pending.remove(key);
        return nanos == null ? 0 : nanos;
    }

    @Override
    public String describe() {
        return "timed " + delegate.describe();
    }

    /** Closes the delegate. */
    @Override
    public void close() {
        delegate.close();
    }
}
