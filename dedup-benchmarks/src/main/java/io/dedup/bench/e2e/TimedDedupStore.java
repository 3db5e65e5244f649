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
    private final DedupStore delegate;
    private final StoreTimings timings;
    private final Progress progress;
    private final Map<DedupKey, Long> pending = new ConcurrentHashMap<>();
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

    @Override
    public ClaimResult claim(ClaimRequest request) {
        progress.started();
        long start = System.nanoTime();
        ClaimResult result = delegate.claim(request);
        claimed(result, System.nanoTime() - start);
        return result;
    }

    @Override
    public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
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

    private void claimed(ClaimResult result, long nanos) {
        timings.call();
        settle(result, nanos);
    }

    private void settle(ClaimResult result, long nanos) {
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

    @Override
    public WriteResult complete(Completion completion) {
        long start = System.nanoTime();
        WriteResult result = delegate.complete(completion);
        timings.call();
        completed(completion.key(), result, System.nanoTime() - start);
        return result;
    }

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

    private void completed(DedupKey key, WriteResult result, long nanos) {
        timings.message(takePending(key) + nanos);
        if (result == WriteResult.APPLIED) {
            progress.delivered();
        }
    }

    @Override
    public WriteResult release(DedupKey key, long token, Duration retention) {
        long start = System.nanoTime();
        WriteResult result = delegate.release(key, token, retention);
        timings.call();
        timings.message(takePending(key) + System.nanoTime() - start);
        return result;
    }

    @Override
    public WriteResult renew(DedupKey key, long token, Duration lease) {
        timings.call();
        return delegate.renew(key, token, lease);
    }

    @Override
    public Optional<StoredRecord> find(DedupKey key) {
        timings.call();
        return delegate.find(key);
    }

    private long takePending(DedupKey key) {
        Long nanos = pending.remove(key);
        return nanos == null ? 0 : nanos;
    }

    @Override
    public String describe() {
        return "timed " + delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
