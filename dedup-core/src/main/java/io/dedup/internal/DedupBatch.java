package io.dedup.internal;

import io.dedup.ClaimedBatch;
import io.dedup.DedupKey;
import io.dedup.DedupResult;
import io.dedup.ResultHandler;
import io.dedup.internal.BatchEntry.State;
import io.dedup.internal.DedupMetrics.Result;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.StoreTransaction;
import java.util.List;

/**
 * The one claim path: a batch claimed in one round trip, run by the caller, settled here. See {@link ClaimedBatch}.
 * {@link DedupEngine} builds it; every way of processing (one message, a list, Kafka's modes, RabbitMQ, the JDBC
 * transactional mode) goes through it, so leases, metrics and the Error policy live in this one place.
 *
 * <p>Thread-safe: entries change state under the batch's lock; handlers run outside it.
 */
final class DedupBatch<M> implements ClaimedBatch<M> {
    private final DedupEngine<M> engine;
    private final BatchKind kind;
    private final StoreTransaction transaction;
    /** The entries in message order; they change state under this batch's lock. */
    private final BatchEntries<M> items;

    private boolean committed;
    private boolean closed;
    /** Entries acquired and not started, and handlers running: whether a finished one has others to overlap. */
    private int acquiredLeft;

    private int runningNow;

    /** Batches claimed behind this one, waiting for its entries to settle. */
    private final SettleWaits waits = new SettleWaits();
    /** Writes this batch's completions and releases. */
    private final BatchWrites<M> writes;
    /** Settles the entries whose handler did not succeed, or ran without a claim. */
    private final BatchFailures<M> failures;

    DedupBatch(DedupEngine<M> engine, BatchKind kind, StoreTransaction transaction, int size, boolean settleRepeats) {
        this.engine = engine;
        this.kind = kind;
        this.transaction = transaction;
        this.items = new BatchEntries<>(size, settleRepeats, engine.metrics());
        this.writes = new BatchWrites<>(this);
        this.failures = new BatchFailures<>(this);
    }

    DedupEngine<M> engine() {
        return engine;
    }

    BatchKind kind() {
        return kind;
    }

    StoreTransaction transaction() {
        return transaction;
    }

    /** Adds the next message's entry; {@code repeatOf} is the index of the same key earlier in the batch, or -1. */
    BatchEntry<M> add(M message, DedupKey key, int repeatOf) {
        return items.add(new BatchEntry<>(this, items.size(), message, key, repeatOf));
    }

    /** One more entry acquired and not started; called while the engine sets the batch up. */
    void acquired() {
        acquiredLeft++;
    }

    // ---------------------------------------------------------------- the caller's side

    @Override
    public List<Entry<M>> entries() {
        return items.view();
    }

    @Override
    public <R> DedupResult<R> run(
            Entry<M> entry,
            ResultHandler<? super M, ? extends R> handler,
            io.dedup.OutcomeCodec<? super R> codec,
            boolean finalAttempt) {
        BatchEntry<M> item = own(entry);
        boolean unguarded;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the batch is closed");
            }
            if (!item.mayRun()) {
                if (item.state == State.ACQUIRED) { // its lease was lost while it waited its turn
                    item.ticket.close();
                    acquiredLeft--;
                    engine.metrics().result(Result.FENCED);
                    settle(item, new DedupResult.Fenced<>(item.claim, null));
                    return cast(item.result);
                }
                throw new IllegalStateException(item + " may not run");
            }
            unguarded = item.state == State.UNAVAILABLE;
            if (!unguarded) {
                acquiredLeft--;
                runningNow++;
            }
            item.state = State.RUNNING;
        }
        if (unguarded) {
            return cast(failures.runUnguarded(item, handler));
        }
        HandlerRun<R> run;
        try {
            run = engine.handlers()
                    .run(item.message(), item.claim, handler, codec, item.ticket, kind != BatchKind.STORE_TRANSACTION);
        } catch (Error error) {
            // DESIGN §6: only this key goes back; entries that finished stay owed and close() records them, so an
            // Error costs none of their work. Then it travels on unchanged: the caller's loop decides, not us.
            synchronized (this) {
                runningNow--;
            }
            failures.handlerError(item, error);
            throw error;
        }
        boolean queue = false;
        synchronized (this) {
            runningNow--;
            if (run.error == null) {
                item.handlerResult = run.result;
                item.body = run.body;
                // Leased: recorded as handlers finish, so that a crash repeats only the last few. The last one to
                // finish is written by complete() on the caller's thread: nothing runs after it to overlap with.
                queue = kind == BatchKind.LEASED && (acquiredLeft > 0 || runningNow > 0);
                item.state = queue ? State.WRITING : State.FINISHED;
                if (queue) {
                    writes.queued();
                }
            }
        }
        if (run.error != null) {
            return failures.unsuccessful(item, run, finalAttempt);
        }
        if (queue) {
            writes.submit(item);
        }
        return null;
    }

    @Override
    public void skip(Entry<M> entry) {
        BatchEntry<M> item = own(entry);
        synchronized (this) {
            if (item.state == State.ACQUIRED) {
                item.state = State.SKIPPED;
                acquiredLeft--;
            }
        }
    }

    @Override
    public void complete() {
        if (kind != BatchKind.LEASED) {
            throw new IllegalStateException("a transactional batch is completed by commit(...)");
        }
        writes.writeOwed();
        writes.releaseAll(take(State.SKIPPED));
        settleRepeats();
    }

    /** Marks the batch committed, refusing when it was already committed or closed. */
    synchronized void checkOpen() {
        if (closed || committed) {
            throw new IllegalStateException("the batch is already " + (closed ? "closed" : "committed"));
        }
    }

    synchronized void markCommitted() {
        committed = true;
    }

    @Override
    public void commit(Commit commit) throws Exception {
        new BatchCommit<>(this, writes).commit(commit);
    }

    @Override
    public void abandon() {
        new BatchCommit<>(this, writes).abandon();
    }

    @Override
    public synchronized List<DedupResult<?>> results() {
        return items.results();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            switch (kind) {
                case LEASED -> {
                    writes.writeOwed();
                    writes.releaseAll(takeUnfinished());
                }
                case FOR_COMMIT -> writes.releaseAll(takeUnfinished()); // uncommitted: its work was rolled back
                case STORE_TRANSACTION -> {
                    if (!committed) {
                        new BatchCommit<>(this, writes).rollback();
                    }
                }
            }
        } finally {
            for (int i = 0, n = items.size(); i < n; i++) {
                items.get(i).closeTicket();
            }
            settleRepeats();
            waits.closed(this);
        }
    }

    /** A repeat of a key earlier in the batch takes its first's answer once that is final. */
    synchronized void settleRepeats() {
        items.settleRepeats();
    }

    synchronized void settle(BatchEntry<M> item, DedupResult<?> result) {
        item.state = State.SETTLED;
        item.result = result;
        waits.settled(this);
    }

    /** Waits, for a batch claimed behind this one, until the entries holding its keys settled: {@link SettleWaits}. */
    void awaitSettled(List<ClaimRequest> requests) {
        waits.await(this, items, requests);
    }

    /** The entries in {@code state}, marked settled: the caller settles each with its result. */
    synchronized List<BatchEntry<M>> take(State state) {
        return items.take(state);
    }

    /**
     * Acquired and skipped items (never started), marking them settled; outside a leased batch also the finished ones,
     * whose work was not committed.
     */
    synchronized List<BatchEntry<M>> takeUnfinished() {
        return items.takeUnfinished(kind != BatchKind.LEASED, () -> acquiredLeft--);
    }

    synchronized List<BatchEntry<M>> inStates(State... states) {
        return items.inStates(states);
    }

    private BatchEntry<M> own(Entry<M> entry) {
        java.util.Objects.requireNonNull(entry, "entry");
        if (entry.index() < 0 || entry.index() >= items.size() || items.get(entry.index()) != entry) {
            throw new IllegalArgumentException("entry " + entry.index() + " is not of this batch");
        }
        return items.get(entry.index());
    }

    @SuppressWarnings("unchecked")
    static <R> DedupResult<R> cast(DedupResult<?> result) {
        return (DedupResult<R>) result;
    }
}
