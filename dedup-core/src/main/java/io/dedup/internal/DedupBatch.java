package io.dedup.internal;

import io.dedup.Claim;
import io.dedup.ClaimedBatch;
import io.dedup.DedupException;
import io.dedup.DedupKey;
import io.dedup.DedupResult;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.LeaseLostException;
import io.dedup.Outcome;
import io.dedup.OutcomeStatus;
import io.dedup.ResultHandler;
import io.dedup.StoreUnavailablePolicy;
import io.dedup.internal.DedupMetrics.Result;
import io.dedup.internal.DedupMetrics.StoreOperation;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.StoreTransaction;
import io.dedup.spi.WriteResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
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
    private static final byte[] EMPTY = new byte[0];

    /** How the work of the batch becomes durable, which decides what completing and closing mean. */
    enum Kind {
        /** Completions are written as the caller asks, and by close: finished work is kept. */
        LEASED,
        /** The work commits in the caller's transaction; completions are written only after it committed. */
        FOR_COMMIT,
        /** Claims, completions and the work share one store transaction. */
        STORE_TRANSACTION
    }

    private enum State {
        /** Acquired, not run yet. */
        ACQUIRED,
        /** Its handler is running. */
        RUNNING,
        /** Its handler finished; the completion is not written yet. */
        FINISHED,
        /** Leased: its completion is queued for the completion writer. */
        WRITING,
        /** Acquired, then given back unstarted by the caller; released when the batch completes or closes. */
        SKIPPED,
        /** The store could not answer its claim; under fail-open it may run unguarded. */
        UNAVAILABLE,
        /** Its result is final. */
        SETTLED
    }

    final class Item implements Entry<M> {
        private final int index;
        private final M message;
        final DedupKey key;
        final int repeatOf;
        Claim claim;
        LeaseRenewer.Ticket ticket;
        State state = State.SETTLED;
        DedupResult<?> result;
        Object handlerResult;
        byte[] body = EMPTY;

        Item(int index, M message, DedupKey key, int repeatOf) {
            this.index = index;
            this.message = message;
            this.key = key;
            this.repeatOf = repeatOf;
        }

        @Override
        public int index() {
            return index;
        }

        @Override
        public M message() {
            return message;
        }

        @Override
        public Optional<DedupKey> key() {
            return Optional.ofNullable(key);
        }

        @Override
        public Optional<Claim> claim() {
            return Optional.ofNullable(claim);
        }

        @Override
        public boolean mayRun() {
            synchronized (DedupBatch.this) {
                return (state == State.ACQUIRED && (ticket == null || !ticket.lost()))
                        || (state == State.UNAVAILABLE
                                && engine.settings().storeUnavailablePolicy() == StoreUnavailablePolicy.FAIL_OPEN);
            }
        }

        /** Acquired, but its lease was taken over while it waited its turn: running it answers Fenced. */
        boolean lostBeforeRun() {
            synchronized (DedupBatch.this) {
                return state == State.ACQUIRED && ticket != null && ticket.lost();
            }
        }

        @Override
        public OptionalInt repeatOf() {
            return repeatOf < 0 ? OptionalInt.empty() : OptionalInt.of(repeatOf);
        }

        @Override
        public DedupResult<?> result() {
            synchronized (DedupBatch.this) {
                return result;
            }
        }

        /** A result decided before any claim (no key). */
        void rejected(DedupResult<?> rejection) {
            this.result = rejection;
        }

        @Override
        public String toString() {
            return "entry " + index + " (" + state + ")";
        }
    }

    private final DedupEngine<M> engine;
    private final Kind kind;
    private final StoreTransaction transaction;
    private final List<Item> items;
    /** The caller's read-only view of {@link #items}, made once. */
    private final List<Entry<M>> entries;

    private final boolean settleRepeats;
    private boolean committed;
    private boolean closed;
    private int writing;
    /** Entries acquired and not started, and handlers running: whether a finished one has others to overlap. */
    private int acquiredLeft;

    private int runningNow;
    /** Whether an entry repeats an earlier one's key: only then is there anything for settleRepeats to do. */
    private boolean hasRepeats;

    DedupBatch(DedupEngine<M> engine, Kind kind, StoreTransaction transaction, int size, boolean settleRepeats) {
        this.engine = engine;
        this.kind = kind;
        this.transaction = transaction;
        this.items = new ArrayList<>(size);
        this.entries = Collections.unmodifiableList(items);
        this.settleRepeats = settleRepeats;
    }

    /** Adds the next message's entry; {@code repeatOf} is the index of the same key earlier in the batch, or -1. */
    Item add(M message, DedupKey key, int repeatOf) {
        hasRepeats |= repeatOf >= 0;
        Item item = new Item(items.size(), message, key, repeatOf);
        items.add(item);
        return item;
    }

    // ---------------------------------------------------------------- set up by the engine

    /** The claim answered for {@code item}; called once per claimed item before the batch is handed out. */
    void claimed(Item item, ClaimResult claim) {
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
    void unavailable(Item item, DedupStoreUnavailableException cause) {
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
        Item item = own(entry);
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
            return cast(runUnguarded(item, handler));
        }
        DedupEngine.HandlerRun<R> run;
        try {
            run = engine.runHandler(
                    item.message, item.claim, handler, codec, item.ticket, kind != Kind.STORE_TRANSACTION);
        } catch (Error error) {
            synchronized (this) {
                runningNow--;
            }
            handlerError(item, error);
            throw error;
        }
        synchronized (this) {
            runningNow--;
        }
        if (run.error == null) {
            boolean queue;
            synchronized (this) {
                item.handlerResult = run.result;
                item.body = run.body;
                // Leased: recorded as handlers finish, so that a crash repeats only the last few. The last one to
                // finish is written by complete() on the caller's thread: nothing runs after it to overlap with.
                queue = kind == Kind.LEASED && (acquiredLeft > 0 || runningNow > 0);
                item.state = queue ? State.WRITING : State.FINISHED;
                if (queue) {
                    writing++;
                }
            }
            if (queue) {
                Completion completion = completionOf(item);
                try {
                    engine.writer().submit(this, completion, w -> written(item, completion, w));
                } catch (RuntimeException e) { // the consumer is closing: keep it as a completion the store lacks
                    written(item, completion, null);
                }
            }
            return null;
        }
        if (kind != Kind.STORE_TRANSACTION && DedupEngine.lostBy(run.error, item.claim)) {
            // a step found the claim taken over: the key's new holder settles it; no release, no retry, no dead letter
            closeTicket(item);
            engine.metrics().result(Result.FENCED);
            synchronized (this) {
                settle(item, new DedupResult.Fenced<>(item.claim, null));
            }
            return cast(item.result);
        }
        DedupResult<R> failed = failed(item, run, finalAttempt);
        synchronized (this) {
            settle(item, failed);
        }
        return failed;
    }

    private <R> DedupResult<R> runUnguarded(Item item, ResultHandler<? super M, ? extends R> handler) {
        DedupStoreUnavailableException cause = ((DedupResult.Unavailable<?>) item.result).cause();
        engine.metrics().result(Result.UNGUARDED);
        engine.warnUnguarded(cause);
        DedupResult<R> result;
        CurrentClaim.Frame previous = CurrentClaim.setUnguarded(engine.metrics());
        try {
            result = new DedupResult.Unguarded<>(Optional.ofNullable(item.key), handler.handle(item.message), cause);
        } catch (Exception e) {
            result = new DedupResult.Failed<>(item.key, Optional.empty(), e, 1, false);
        } catch (Error error) {
            synchronized (this) {
                settle(item, new DedupResult.Failed<>(item.key, Optional.empty(), asException(error), 1, false));
            }
            throw error;
        } finally {
            CurrentClaim.restore(previous);
        }
        synchronized (this) {
            settle(item, result);
        }
        return result;
    }

    /** The handler threw an Error: its key goes back (nothing of it is recorded), then the Error travels on. */
    private void handlerError(Item item, Error error) {
        closeTicket(item);
        engine.metrics().result(Result.FAILED);
        if (kind != Kind.STORE_TRANSACTION) {
            engine.releaseQuietly(item.claim);
        }
        synchronized (this) {
            settle(item, new DedupResult.Failed<>(item.key, Optional.of(item.claim), asException(error), 1, false));
        }
    }

    private static Exception asException(Error error) {
        return new DedupException("the handler threw " + error, error);
    }

    private <R> DedupResult<R> failed(Item item, DedupEngine.HandlerRun<R> run, boolean finalAttempt) {
        closeTicket(item); // released next: renewing it would look like a takeover
        engine.metrics().result(Result.FAILED);
        boolean marked = false;
        if (kind != Kind.STORE_TRANSACTION) {
            marked = engine.releaseOrMarkFailed(item.claim, run.error, finalAttempt);
        } // in a store transaction the key is released within it when it commits, or vanishes with its rollback
        return new DedupResult.Failed<>(item.key, Optional.of(item.claim), run.error, run.attempts, marked);
    }

    @Override
    public void skip(Entry<M> entry) {
        Item item = own(entry);
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
        writeOwed();
        releaseAll(take(State.SKIPPED));
        settleRepeats();
    }

    /**
     * Writes every completion this batch still owes: those the completion writer has not taken yet (taken back) and
     * the finished ones not queued, in one round trip on this thread; then waits for the writer's answers to those it
     * had already taken.
     */
    private void writeOwed() {
        List<CompletionWriter.Queued> queued;
        synchronized (this) {
            // only what this batch queued can be taken back: with nothing in flight, the writer's lock is not needed
            queued = writing == 0 ? List.of() : null;
        }
        if (queued == null) {
            queued = engine.writer().drain(this);
        }
        List<Item> finished = take(State.FINISHED);
        if (!queued.isEmpty() || !finished.isEmpty()) {
            List<Completion> completions = new ArrayList<>(queued.size() + finished.size());
            queued.forEach(q -> completions.add(q.completion()));
            finished.forEach(item -> completions.add(completionOf(item)));
            List<WriteResult> written = engine.completeAllWithRetry(completions);
            for (int c = 0; c < completions.size(); c++) {
                WriteResult w = written == null ? null : written.get(c);
                if (c < queued.size()) {
                    queued.get(c).answer().accept(w);
                } else {
                    settleWritten(finished.get(c - queued.size()), completions.get(c), w);
                }
            }
        }
        boolean interrupted = false;
        synchronized (this) {
            while (writing > 0) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true; // the answers are moments away; the caller learns of the interrupt after
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The completion writer's answer for {@code item}. */
    void written(Item item, Completion completion, WriteResult w) {
        settleWritten(item, completion, w);
        synchronized (this) {
            writing--;
            notifyAll();
        }
    }

    @Override
    public void commit(Commit commit) throws Exception {
        java.util.Objects.requireNonNull(commit, "commit");
        if (kind == Kind.LEASED) {
            throw new IllegalStateException("a leased batch is completed by complete(), not commit(...)");
        }
        synchronized (this) {
            if (closed || committed) {
                throw new IllegalStateException("the batch is already " + (closed ? "closed" : "committed"));
            }
        }
        List<Item> finished = inState(State.FINISHED);
        if (kind == Kind.FOR_COMMIT) {
            for (Item item : finished) {
                if (item.ticket != null && item.ticket.lost()) {
                    // another worker took the key over while we ran: its holder's work counts, ours must not commit
                    throw new LeaseLostException(item.claim.key(), item.claim.token());
                }
            }
            commit.run();
            synchronized (this) {
                committed = true;
            }
            take(State.FINISHED);
            writeCompletions(finished);
            releaseAll(takeUnfinished());
        } else {
            List<Completion> completions = new ArrayList<>(finished.size());
            for (Item item : finished) {
                completions.add(completionOf(item));
            }
            List<WriteResult> written = completions.isEmpty() ? List.of() : transaction.completeAll(completions);
            for (int i = 0; i < written.size(); i++) {
                if (written.get(i) != WriteResult.APPLIED) {
                    Claim claim = finished.get(i).claim;
                    throw new LeaseLostException(claim.key(), claim.token());
                }
            }
            List<Item> unfinished = inStates(State.ACQUIRED, State.SKIPPED);
            List<Claim> giveBack = new ArrayList<>();
            unfinished.forEach(item -> giveBack.add(item.claim));
            for (Item item : inStates(State.SETTLED)) {
                if (item.claim != null && item.result instanceof DedupResult.Failed<?>) {
                    giveBack.add(item.claim); // failed in the transaction: released within it, as a redelivery retries
                }
            }
            if (!giveBack.isEmpty()) {
                transaction.releaseAll(giveBack, engine.settings().retention());
            }
            commit.run();
            transaction.commit();
            synchronized (this) {
                committed = true;
                for (Item item : finished) {
                    item.state = State.SETTLED;
                    settle(item, engine.processed(item.claim, item.handlerResult));
                }
                for (Item item : unfinished) {
                    item.state = State.SETTLED;
                    settle(item, engine.notStarted(item.claim));
                }
            }
        }
        settleRepeats();
    }

    @Override
    public void abandon() {
        for (Item item : take(State.FINISHED)) {
            closeTicket(item); // no longer renewed: the lease runs out and a redelivery takes the key over then
            engine.metrics().result(Result.UNAVAILABLE);
            DedupStoreUnavailableException cause = new DedupStoreUnavailableException(
                    "the outcome of the commit is unknown; key " + item.key + " stays held until its lease ends");
            synchronized (this) {
                settle(item, new DedupResult.Unavailable<>(Optional.of(item.key), cause, true));
            }
        }
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
                    writeOwed();
                    releaseAll(takeUnfinished());
                }
                case FOR_COMMIT -> releaseAll(takeUnfinished()); // uncommitted: its work was rolled back
                case STORE_TRANSACTION -> {
                    if (!committed) {
                        try {
                            transaction.rollback();
                        } catch (RuntimeException e) {
                            LOG.warn("rolling back a store transaction failed: {}", e.toString());
                        }
                        for (Item item : takeUnfinished()) {
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

    // ---------------------------------------------------------------- settling

    /** Writes completions in one round trip (with retries); keeps those the store did not take for later. */
    private void writeCompletions(List<Item> finished) {
        if (finished.isEmpty()) {
            return;
        }
        List<Completion> completions = new ArrayList<>(finished.size());
        for (Item item : finished) {
            completions.add(completionOf(item));
        }
        List<WriteResult> written = engine.completeAllWithRetry(completions);
        for (int c = 0; c < finished.size(); c++) {
            settleWritten(finished.get(c), completions.get(c), written == null ? null : written.get(c));
        }
    }

    /** Settles an entry by what the store answered to its completion (null: nothing, the store stayed down). */
    private void settleWritten(Item item, Completion completion, WriteResult w) {
        DedupResult<?> result;
        if (w == null || w instanceof WriteResult.Failed) {
            DedupStoreUnavailableException cause = w instanceof WriteResult.Failed failed
                    ? DedupEngine.asUnavailable(failed.cause())
                    : new DedupStoreUnavailableException("could not record completion in "
                            + engine.settings().store().describe());
            LeaseRenewer.Ticket ticket;
            synchronized (this) {
                ticket = item.ticket;
                item.ticket = null; // the pending completion owns its renewal now
            }
            engine.pending(item.claim, completion, ticket);
            engine.metrics().result(Result.UNAVAILABLE);
            result = new DedupResult.Unavailable<>(Optional.of(item.key), cause, true);
        } else if (w == WriteResult.APPLIED) {
            result = engine.processed(item.claim, item.handlerResult);
        } else {
            engine.metrics().fenced(StoreOperation.COMPLETE);
            engine.metrics().result(Result.FENCED);
            result = new DedupResult.Fenced<>(item.claim, item.handlerResult);
        }
        closeTicket(item);
        synchronized (this) {
            settle(item, result);
        }
    }

    private void releaseAll(List<Item> unstarted) {
        for (Item item : unstarted) {
            boolean lost = item.ticket != null && item.ticket.lost();
            closeTicket(item);
            DedupResult<?> result;
            if (lost) { // taken over: the current holder settles it, and a release would be refused anyway
                engine.metrics().result(Result.FENCED);
                result = new DedupResult.Fenced<>(item.claim, null);
            } else {
                engine.releaseQuietly(item.claim);
                result = engine.notStarted(item.claim);
            }
            synchronized (this) {
                settle(item, result);
            }
        }
    }

    private Completion completionOf(Item item) {
        return new Completion(
                item.claim.key(),
                item.claim.token(),
                OutcomeStatus.SUCCEEDED,
                item.body,
                engine.settings().retention());
    }

    /** A repeat of a key earlier in the batch takes its first's answer once that is final. */
    private synchronized void settleRepeats() {
        if (!hasRepeats) {
            return;
        }
        for (int i = 0, n = items.size(); i < n; i++) {
            Item item = items.get(i);
            if (item.repeatOf < 0 || item.result != null) {
                continue;
            }
            Item first = items.get(item.repeatOf);
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

    private void settle(Item item, DedupResult<?> result) {
        item.state = State.SETTLED;
        item.result = result;
    }

    private synchronized List<Item> take(State state) {
        List<Item> taken = List.of(); // allocated only when something is taken: most calls take nothing
        for (int i = 0, n = items.size(); i < n; i++) {
            Item item = items.get(i);
            if (item.state == state) {
                item.state = State.SETTLED;
                taken = added(taken, item);
            }
        }
        return taken;
    }

    private List<Item> added(List<Item> list, Item item) {
        List<Item> growing = list.isEmpty() ? new ArrayList<>() : list;
        growing.add(item);
        return growing;
    }

    /** Acquired and skipped items (never started), marking them settled. */
    private synchronized List<Item> takeUnfinished() {
        List<Item> taken = List.of();
        for (int i = 0, n = items.size(); i < n; i++) {
            Item item = items.get(i);
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

    private synchronized List<Item> inState(State state) {
        return inStates(state);
    }

    private synchronized List<Item> inStates(State... states) {
        List<Item> found = List.of();
        for (int i = 0, n = items.size(); i < n; i++) {
            Item item = items.get(i);
            for (State state : states) {
                if (item.state == state) {
                    found = added(found, item);
                    break;
                }
            }
        }
        return found;
    }

    private void closeTicket(Item item) {
        LeaseRenewer.Ticket ticket = item.ticket;
        if (ticket != null) {
            ticket.close();
        }
    }

    private Item own(Entry<M> entry) {
        java.util.Objects.requireNonNull(entry, "entry");
        if (entry.index() < 0 || entry.index() >= items.size() || items.get(entry.index()) != entry) {
            throw new IllegalArgumentException("entry " + entry.index() + " is not of this batch");
        }
        return items.get(entry.index());
    }

    @SuppressWarnings("unchecked")
    private static <R> DedupResult<R> cast(DedupResult<?> result) {
        return (DedupResult<R>) result;
    }
}
