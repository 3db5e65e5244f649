package io.dedup;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link DedupConsumer} did with one message. Adapters act on {@link #disposition()}; applications that keep
 * their own loop can switch on the variants. Each variant names its disposition next to its meaning, and says why.
 *
 * <p>Immutable records; thread-safe as far as the handler's result they carry is. Constructing one throws {@link
 * NullPointerException} for a missing required component.
 *
 * @param <R> the handler's result type
 */
public sealed interface DedupResult<R> {
    /** What the adapter should do with the delivery: the same for every instance of a variant. */
    Disposition disposition();

    /** The handler ran under a claim and the store recorded the key as completed. */
    record Processed<R>(Claim claim, R result) implements DedupResult<R> {
        public Processed {
            Objects.requireNonNull(claim, "claim");
        }

        /** The handler's result; null when it returned null. */
        @Override
        public R result() {
            return result;
        }

        /** The key is recorded as completed: the delivery is done. */
        @Override
        public Disposition disposition() {
            return Disposition.ACK;
        }
    }

    /** The key completed earlier; the handler did not run. The stored outcome is attached. */
    record Duplicate<R>(DedupKey key, Outcome outcome) implements DedupResult<R> {
        public Duplicate {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(outcome, "outcome");
        }

        /** Done before: acking is what makes the redelivery stop. */
        @Override
        public Disposition disposition() {
            return Disposition.ACK;
        }
    }

    /** Another worker holds a live lease on the key; try again later. */
    record InProgress<R>(DedupKey key, Instant leaseUntil) implements DedupResult<R> {
        public InProgress {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(leaseUntil, "leaseUntil");
        }

        /** Never acked nor dropped: the holder may still die, and then this delivery must take over. */
        @Override
        public Disposition disposition() {
            return Disposition.DEFER;
        }
    }

    /** The key was used before for a different payload (fingerprint checking is on). */
    record Conflict<R>(DedupKey key) implements DedupResult<R> {
        public Conflict {
            Objects.requireNonNull(key, "key");
        }

        /** Retrying cannot help: the same key will conflict again. */
        @Override
        public Disposition disposition() {
            return Disposition.DEAD_LETTER;
        }
    }

    /**
     * The handler failed on every attempt. The key was released (a redelivery runs it again) or, on the final
     * attempt under {@link FailurePolicy#MARK_FAILED}, completed as failed. {@code claim} is empty when the handler
     * ran unguarded (fail-open).
     */
    record Failed<R>(DedupKey key, Optional<Claim> claim, Exception error, int attempts, boolean keyMarkedFailed)
            implements DedupResult<R> {
        public Failed {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(claim, "claim");
            Objects.requireNonNull(error, "error");
        }

        /** The adapter's retry policy decides; the key was already released or marked failed. */
        @Override
        public Disposition disposition() {
            return Disposition.RETRY_OR_DEAD_LETTER;
        }
    }

    /**
     * The lease was taken over by another worker, so this worker's completion was refused (fenced): either the
     * handler ran and could not complete (then {@code result} is its result), or, in a batch, the claim was lost
     * while the message waited its turn and the handler did not run ({@code result} is null). The current holder
     * completes the key; this delivery will be a duplicate on retry.
     */
    record Fenced<R>(Claim claim, R result) implements DedupResult<R> {
        public Fenced {
            Objects.requireNonNull(claim, "claim");
        }

        /** The current holder completes the key; a redelivery then finds it a duplicate. */
        @Override
        public Disposition disposition() {
            return Disposition.DEFER;
        }
    }

    /**
     * The key was given back without an outcome, so a redelivery runs the handler: the message was claimed but its
     * handler never started (its batch was cut short by a close, a revoked partition or an earlier record that must
     * be retried first), or the work it did was rolled back with a transaction that did not commit.
     */
    record Released<R>(Claim claim) implements DedupResult<R> {
        public Released {
            Objects.requireNonNull(claim, "claim");
        }

        /** Deliver it again; it is not a failure and counts toward no retry limit. */
        @Override
        public Disposition disposition() {
            return Disposition.DEFER;
        }
    }

    /**
     * The message was rejected before any handler ran: its key is missing or unreadable ({@link
     * IdempotencyKeyException}) or its stored record is unreadable ({@link DedupStoreCorruptionException}).
     */
    record Rejected<R>(DedupException reason) implements DedupResult<R> {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }

        /** Bad input never becomes readable by retrying. */
        @Override
        public Disposition disposition() {
            return Disposition.DEAD_LETTER;
        }
    }

    /**
     * The store could not be reached (fail-closed). If {@code handlerRan}, the handler did run under a claim but
     * its completion could not be recorded: the key stays in progress until its lease lapses.
     */
    record Unavailable<R>(Optional<DedupKey> key, DedupStoreUnavailableException cause, boolean handlerRan)
            implements DedupResult<R> {
        public Unavailable {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(cause, "cause");
        }

        /** Nothing was decided (or recorded): acking would lose the message, retrying at once would hammer the store. */
        @Override
        public Disposition disposition() {
            return Disposition.BACK_OFF;
        }
    }

    /** Fail-open: the store was unavailable and the handler ran without a claim. */
    record Unguarded<R>(Optional<DedupKey> key, R result, DedupStoreUnavailableException cause)
            implements DedupResult<R> {
        public Unguarded {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(cause, "cause");
        }

        /** The handler ran (fail-open), so the delivery is done, without the guarantee. */
        @Override
        public Disposition disposition() {
            return Disposition.ACK;
        }
    }
}
