package io.dedup.internal;

import java.util.Locale;

/**
 * What dedup counts and times. The no-op implementation costs nothing; Micrometer's is used when a registry is set.
 * Every method has a doing-nothing default, so a call site never checks whether metrics are on (only {@link #timed}
 * spares it reading the clock).
 *
 * <p>Implementations are thread-safe: every consumer thread, the lease renewer and the completion writer report.
 */
interface DedupMetrics {
    /** Message results, as the {@code result} tag of {@code dedup.messages}. */
    enum Result implements MetricTag {
        PROCESSED,
        DUPLICATE,
        IN_PROGRESS,
        CONFLICT,
        FAILED,
        FENCED,
        NO_KEY,
        CORRUPT,
        UNAVAILABLE,
        UNGUARDED,
        /** Claimed, then given back without running (its batch was cut short) or with its work rolled back. */
        RELEASED
    }

    /** Store operations, as the {@code operation} tag of {@code dedup.store.calls}. */
    enum StoreOperation implements MetricTag {
        CLAIM,
        CLAIM_ALL,
        COMPLETE,
        COMPLETE_ALL,
        RENEW,
        RENEW_ALL,
        RELEASE,
        /** Reading one record: only steps do, to take over a step a dead attempt left unfinished. */
        FIND
    }

    /** What became of a step ({@link io.dedup.Steps}), as the {@code result} tag of {@code dedup.steps}. */
    enum StepResult implements MetricTag {
        /** The step ran and its result was recorded. */
        RUN,
        /** An earlier attempt recorded the step: its stored result was returned and the step did not run. */
        REPLAYED,
        /** The step ran without a record: in a store transaction, or unguarded under fail-open. */
        DIRECT,
        /** The step threw; nothing was recorded. */
        FAILED,
        /** The claim was taken over: the step did not start, or its result was not recorded. */
        FENCED
    }

    /** A constant that names itself in a meter's tag: its name in lower case, as dashboards query it. */
    interface MetricTag {
        String name();

        default String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** No metrics: the default without a meter registry. */
    DedupMetrics NOOP = new DedupMetrics() {};

    /** Whether timings are wanted; callers skip reading the clock when not. */
    default boolean timed() {
        return false;
    }

    /** One message's result, counted once when it is final. */
    default void result(Result result) {}

    /** One call to the store and how long it took; {@code failed} when it threw. */
    default void storeCall(StoreOperation operation, long nanos, boolean failed) {}

    /** One attempt of a handler and how long it took. */
    default void handler(long nanos, boolean failed) {}

    /** A held lease was renewed. */
    default void leaseRenewed() {}

    /** A write was refused because its token was stale: the claim had been taken over. */
    default void fenced(StoreOperation operation) {}

    /** A completion kept while the store was down was given up: its lease could no longer be renewed. */
    default void completionDropped() {}

    /** A key was found held by another claim (counted once per key and holder, as it is logged). */
    default void keyHeld() {}

    /** A step ran, was replayed, failed or was fenced. */
    default void step(StepResult result) {}
}
