package io.dedup.internal;

import io.dedup.Claim;
import io.dedup.ClaimedBatch;
import io.dedup.DedupKey;
import io.dedup.DedupResult;
import io.dedup.StoreUnavailablePolicy;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One message of a {@link DedupBatch}: its key, its claim and lease ticket, where it is in its life, and its result.
 *
 * <p>Thread-safe through its batch: the mutable fields change only under the batch's lock.
 */
final class BatchEntry<M> implements ClaimedBatch.Entry<M> {
    private static final byte[] EMPTY = new byte[0];

    enum State {
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

    private final DedupBatch<M> batch;
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

    BatchEntry(DedupBatch<M> batch, int index, M message, DedupKey key, int repeatOf) {
        this.batch = batch;
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
        synchronized (batch) {
            return (state == State.ACQUIRED && (ticket == null || !ticket.lost()))
                    || (state == State.UNAVAILABLE
                            && batch.engine().settings().shared().storeUnavailablePolicy()
                                    == StoreUnavailablePolicy.FAIL_OPEN);
        }
    }

    /**
     * Whether it holds a claim whose end the store has not been told yet: acquired and not run, running, finished
     * and not written, given back and not released, or taken for a write that has not answered. Under the batch's
     * lock.
     */
    boolean holdsUnsettledClaim() {
        return switch (state) {
            case ACQUIRED, RUNNING, FINISHED, WRITING, SKIPPED -> true;
            case SETTLED -> result == null;
            case UNAVAILABLE -> false; // the store never granted it: nothing is held
        };
    }

    /** Stops renewing its lease, if it had one renewed. */
    void closeTicket() {
        LeaseRenewer.Ticket held = ticket;
        if (held != null) {
            held.close();
        }
    }

    /** Acquired, but its lease was taken over while it waited its turn: running it answers Fenced. */
    boolean lostBeforeRun() {
        synchronized (batch) {
            return state == State.ACQUIRED && ticket != null && ticket.lost();
        }
    }

    @Override
    public OptionalInt repeatOf() {
        return repeatOf < 0 ? OptionalInt.empty() : OptionalInt.of(repeatOf);
    }

    @Override
    public DedupResult<?> result() {
        synchronized (batch) {
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
