package io.dedup.internal;

import io.dedup.ClaimedBatch;
import io.dedup.DedupKey;
import io.dedup.DedupResult;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.Outcome;
import io.dedup.OutcomeStatus;
import io.dedup.ResultHandler;
import io.dedup.internal.BatchEntry.State;
import io.dedup.internal.DedupMetrics.Result;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.StoreTransaction;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one claim path: a batch claimed in one round trip, run by the caller, settled here. See {@link ClaimedBatch}.
 * {@link DedupEngine} builds it; every way of processing (one message, a list, Kafka's modes, RabbitMQ, the JDBC
 * transactional mode) goes through it, so leases, metrics and the Error policy live in this one place.
 *
 * <p>Thread-safe: entries change state under the batch's lock; handlers run outside it.
 */
final class DedupBatch<M> implements ClaimedBatch<M> {
    private static final Logger LOG = LoggerFactory.getLogger(DedupBatch.class);

    /** How the work of the batch becomes durable, which decides what completing and closing mean. */
    enum Kind {
        /** Completions are written as the caller asks, and by close: finished work is kept. */
        LEASED,
        /** The work commits in the caller's transaction; completions are written only after it committed. */
        FOR_COMMIT,
        /** Claims, completions and the work share one store transaction. */
        STORE_TRANSACTION
    }

    private final DedupEngine<M> engine;
    private final Kind kind;
    private final StoreTransaction transaction;
    private final List<BatchEntry<M>> items;
    /** The caller's read-only view of {@link #items}, made once. */
    private final List<Entry<M>> entries;

    private final boolean settleRepeats;
    private boolean committed;
    private boolean closed;
    /** Entries acquired and not started, and handlers running: whether a finished one has others to overlap. */
    private int acquiredLeft;

    private int runningNow;
    /** Whether an entry repeats an earlier one's key: only then is there anything for settleRepeats to do. */
    private boolean hasRepeats;
    /** Writes this batch's completions and releases. */
    private final BatchWrites<M> writes;
    /** Settles the entries whose handler did not succeed, or ran without a claim. */
    private final BatchFailures<M> failures;

    DedupBatch(DedupEngine<M> engine, Kind kind, StoreTransaction transaction, int size, boolean settleRepeats) {
        this.engine = engine;
        this.kind = kind;
        this.transaction = transaction;
        this.items = new ArrayList<>(size);
        this.entries = Collections.unmodifiableList(items);
        this.settleRepeats = settleRepeats;
        this.writes = new BatchWrites<>(this);
        this.failures = new BatchFailures<>(this);
    }

    DedupEngine<M> engine() {
        return engine;
    }

    Kind kind() {
        return kind;
    }

    StoreTransaction transaction() {
        return transaction;
    }

    /** Adds the next message's entry; {@code repeatOf} is the index of the same key earlier in the batch, or -1. */
    BatchEntry<M> add(M message, DedupKey key, int repeatOf) {
        hasRepeats |= repeatOf >= 0;
        BatchEntry<M> item = new BatchEntry<>(this, items.size(), message, key, repeatOf);
        items.add(item);
        return item;
    }

    // ---------------------------------------------------------------- set up by the engine

    /** The claim answered for {@code item}; called once per claimed item before the batch is handed out. */
    void claimed(BatchEntry<M> item, ClaimResult claim) {
        if (claim instanceof ClaimResult.Acquired acquired) {
            item.claim = acquired.claim();
            item.state = State.ACQUIRED;
            acquiredLeft++;
            if (kind != Kind.STORE_TRANSACTION) {
                // every held lease is renewed from now on, not only while its own handler runs: the claims at the
                // end of a long batch would otherwise lapse while they wait their turn, and be taken over
                item.ticket = engine.register(acquired.claim());
            }
            return;
        }
        settle(item, engine.settled(claim));
        if (item.result instanceof DedupResult.Unavailable<?>) {
            item.state = State.UNAVAILABLE;
        }
    }

    /** The store could not answer the claim at all. */
    void unavailable(BatchEntry<M> item, DedupStoreUnavailableException cause) {
        item.state = State.UNAVAILABLE;
        item.result = new DedupResult.Unavailable<>(Optional.ofNullable(item.key), cause, false);
        engine.metrics().result(Result.UNAVAILABLE);
    }

    // ---------------------------------------------------------------- the caller's side

    @Override
    public List<Entry<M>> entries() {
        return entries;
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
                    item.state = State.SETTLED;
                    acquiredLeft--;
                    engine.metrics().result(Result.FENCED);
                    item.result = new DedupResult.Fenced<>(item.claim, null);
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
                    .run(item.message(), item.claim, handler, codec, item.ticket, kind != Kind.STORE_TRANSACTION);
        } catch (Error error) {
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
                queue = kind == Kind.LEASED && (acquiredLeft > 0 || runningNow > 0);
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
        if (kind != Kind.LEASED) {
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
        List<DedupResult<?>> results = new ArrayList<>(items.size());
        for (int i = 0, n = items.size(); i < n; i++) {
            results.add(items.get(i).result);
        }
        return results;
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
                        try {
                            transaction.rollback();
                        } catch (RuntimeException e) {
                            LOG.warn("rolling back a store transaction failed: {}", e.toString());
                        }
                        for (BatchEntry<M> item : takeUnfinished()) {
                            settle(item, engine.notStarted(item.claim));
                        }
                    }
                }
            }
        } finally {
            for (int i = 0, n = items.size(); i < n; i++) {
                closeTicket(items.get(i));
            }
            settleRepeats();
        }
    }

    /** A repeat of a key earlier in the batch takes its first's answer once that is final. */
    synchronized void settleRepeats() {
        if (!hasRepeats) {
            return;
        }
        for (int i = 0, n = items.size(); i < n; i++) {
            BatchEntry<M> item = items.get(i);
            if (item.repeatOf < 0 || item.result != null) {
                continue;
            }
            BatchEntry<M> first = items.get(item.repeatOf);
            if (first.state != State.SETTLED || first.result == null) {
                continue;
            }
            if (first.result instanceof DedupResult.Processed<?>) {
                engine.metrics().result(Result.DUPLICATE);
                item.result = new DedupResult.Duplicate<>(
                        item.key, Outcome.wrap(OutcomeStatus.SUCCEEDED, first.body, Instant.now()));
            } else if (first.result instanceof DedupResult.Duplicate<?> duplicate) {
                engine.metrics().result(Result.DUPLICATE);
                item.result = new DedupResult.Duplicate<>(item.key, duplicate.outcome());
            } else if (settleRepeats || first.claim == null) {
                item.result = first.claim == null ? first.result : new DedupResult.Released<>(first.claim);
            }
        }
    }

    void settle(BatchEntry<M> item, DedupResult<?> result) {
        item.state = State.SETTLED;
        item.result = result;
    }

    synchronized List<BatchEntry<M>> take(State state) {
        List<BatchEntry<M>> taken = List.of(); // allocated only when something is taken: most calls take nothing
        for (int i = 0, n = items.size(); i < n; i++) {
            BatchEntry<M> item = items.get(i);
            if (item.state == state) {
                item.state = State.SETTLED;
                taken = added(taken, item);
            }
        }
        return taken;
    }

    private List<BatchEntry<M>> added(List<BatchEntry<M>> list, BatchEntry<M> item) {
        List<BatchEntry<M>> growing = list.isEmpty() ? new ArrayList<>() : list;
        growing.add(item);
        return growing;
    }

    /** Acquired and skipped items (never started), marking them settled. */
    synchronized List<BatchEntry<M>> takeUnfinished() {
        List<BatchEntry<M>> taken = List.of();
        for (int i = 0, n = items.size(); i < n; i++) {
            BatchEntry<M> item = items.get(i);
            if (item.claim != null
                    && (item.state == State.ACQUIRED
                            || item.state == State.SKIPPED
                            || (kind != Kind.LEASED && item.state == State.FINISHED))) {
                if (item.state == State.ACQUIRED) {
                    acquiredLeft--;
                }
                item.state = State.SETTLED;
                taken = added(taken, item);
            }
        }
        return taken;
    }

    synchronized List<BatchEntry<M>> inState(State state) {
        return inStates(state);
    }

    synchronized List<BatchEntry<M>> inStates(State... states) {
        List<BatchEntry<M>> found = List.of();
        for (int i = 0, n = items.size(); i < n; i++) {
            BatchEntry<M> item = items.get(i);
            for (State state : states) {
                if (item.state == state) {
                    found = added(found, item);
                    break;
                }
            }
        }
        return found;
    }

    void closeTicket(BatchEntry<M> item) {
        LeaseRenewer.Ticket ticket = item.ticket;
        if (ticket != null) {
            ticket.close();
        }
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
