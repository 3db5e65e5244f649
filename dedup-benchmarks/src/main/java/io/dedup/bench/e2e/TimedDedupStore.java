package io.dedup.bench.e2e;

import io.dedup.DedupKey;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.Position;
import io.dedup.spi.StoreTransaction;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.TransactionalStore;
import io.dedup.spi.WriteResult;
import java.time.Duration;
import java.util.ArrayList;
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
 * <p>Capabilities of the delegate are not passed through, with one exception: a store made {@link #withTransactions}
 * (the {@code dedup-jdbc-tx} arm) passes {@link TransactionalStore} through, timed (see {@link TimedTransaction}).
 * Every other arm measures the leased mode, and a runner that found transactions on its store could choose another.
 * Thread-safe if the delegate is.
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
    /** Whether {@link #capability} passes the delegate's {@link TransactionalStore} through, timed. */
    private final boolean transactions;

    /** Times {@code delegate} into {@code run}'s store timings and progress; its capabilities are hidden. */
    public TimedDedupStore(DedupStore delegate, ArmRun run) {
        this(delegate, run.storeTimings(), run.progress(), false);
    }

    TimedDedupStore(DedupStore delegate, StoreTimings timings, Progress progress) {
        this(delegate, timings, progress, false);
    }

    private TimedDedupStore(DedupStore delegate, StoreTimings timings, Progress progress, boolean transactions) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.timings = Objects.requireNonNull(timings, "timings");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.transactions = transactions;
    }

    /**
     * Times {@code delegate} and also passes its {@link TransactionalStore} through, timed, for an arm that runs the
     * Kafka-to-database mode; the leased calls, if any are made, are timed as by the plain constructor.
     */
    static TimedDedupStore withTransactions(DedupStore delegate, StoreTimings timings, Progress progress) {
        return new TimedDedupStore(delegate, timings, progress, true);
    }

    /**
     * {@link TransactionalStore}, timed, when this store was made {@link #withTransactions} and the delegate has it;
     * every other capability of the delegate is hidden, as is everything when the store was made without transactions.
     */
    @Override
    public <T> Optional<T> capability(Class<T> type) {
        if (transactions && type == TransactionalStore.class) {
            return delegate.capability(TransactionalStore.class)
                    .map(store -> type.cast((TransactionalStore) () -> new TimedTransaction(store.begin())));
        }
        // what the interface answers for any wrapper: only the wrapper's own types, none of the delegate's
        return DedupStore.super.capability(type);
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

    /**
     * One store transaction of the Kafka-to-database mode, timed and followed like the leased calls above, except that
     * nothing counts before the commit: a transaction that rolls back leaves no trace in the database, so it leaves
     * none in the timings or the progress either (its records come again, and are counted when they commit).
     *
     * <ul>
     *   <li>store time: every call made through the transaction (claims, completions, releases, positions, the
     *       commit) is summed, and the sum is charged in full to every message the transaction decided, as a batch
     *       call is charged in full to each of its messages; the handler's own writes between the calls are not store
     *       time. The commit also makes the handler's rows durable, since it is one commit for both: sharing it is
     *       what this mode is for;
     *   <li>progress: the clock starts at the first claim; at the commit, the keys the store answered duplicate and
     *       the completions it applied are done;
     *   <li>duplicates: counted as the claim answers them, before core's meter hears of them, so that {@link
     *       InBatchRepeats} tells the in-batch repeats apart as in the leased mode (a rolled-back claim's duplicate is
     *       claimed, and counted, again by core and here alike; but core settles an in-batch repeat of such a duplicate
     *       when the batch closes, rolled back or not, so after a rollback that repeat is counted done twice: the run
     *       then ends early and its handler count falls short, which the harness's check reports);
     *   <li>calls: each call into the transaction counts once, as a call into the store would (used for the in-memory
     *       store only; PostgreSQL's are counted on the wire).
     * </ul>
     *
     * <p>Not thread-safe, like the transaction it wraps: one runner thread uses it from begin to close.
     */
    private final class TimedTransaction implements StoreTransaction {
        private final StoreTransaction tx;
        /** Nanoseconds spent in this transaction's store calls so far. */
        private long nanos;
        /** Messages the claims decided (duplicate, conflict, failed), charged and, duplicates, done at the commit. */
        private final List<ClaimResult> decided = new ArrayList<>();
        /** Completions the store applied: their messages are done at the commit. */
        private int applied;

        TimedTransaction(StoreTransaction tx) {
            this.tx = tx;
        }

        @Override
        public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
            progress.started();
            long start = System.nanoTime();
            List<ClaimResult> results = tx.claimAll(requests);
            took(start);
            for (ClaimResult result : results) {
                if (!(result instanceof ClaimResult.Acquired || result instanceof ClaimResult.InProgress)) {
                    decided.add(result);
                    if (result instanceof ClaimResult.Duplicate) {
                        duplicates.incrementAndGet();
                    }
                }
            }
            return results;
        }

        @Override
        public List<WriteResult> completeAll(List<Completion> completions) {
            long start = System.nanoTime();
            List<WriteResult> results = tx.completeAll(completions);
            took(start);
            for (WriteResult result : results) {
                if (result == WriteResult.APPLIED) {
                    applied++;
                }
            }
            return results;
        }

        @Override
        public List<WriteResult> releaseAll(List<io.dedup.Claim> claims, Duration retention) {
            long start = System.nanoTime();
            List<WriteResult> results = tx.releaseAll(claims, retention);
            took(start);
            return results;
        }

        @Override
        public void savePositions(String namespace, List<Position> positions) {
            long start = System.nanoTime();
            tx.savePositions(namespace, positions);
            took(start);
        }

        @Override
        public Map<Integer, Long> positions(String namespace, String stream) {
            long start = System.nanoTime();
            Map<Integer, Long> positions = tx.positions(namespace, stream);
            took(start);
            return positions;
        }

        /** Not a store call: the handler's connection, whose writes are the handler's time. */
        @Override
        public <T> Optional<T> resource(Class<T> type) {
            return tx.resource(type);
        }

        /** The decided messages are charged the whole transaction's store time, and reported done. */
        @Override
        public void commit() {
            long start = System.nanoTime();
            tx.commit();
            took(start);
            long done = applied;
            for (ClaimResult result : decided) {
                timings.message(nanos);
                if (result instanceof ClaimResult.Duplicate) {
                    done++;
                }
            }
            for (int i = 0; i < applied; i++) {
                timings.message(nanos);
            }
            if (done > 0) {
                progress.delivered(done);
            }
        }

        @Override
        public void rollback() {
            timings.call();
            tx.rollback();
        }

        @Override
        public void close() {
            tx.close();
        }

        /** One call, which began at {@code start}, ended now. */
        private void took(long start) {
            nanos += System.nanoTime() - start;
            timings.call();
        }
    }
}
