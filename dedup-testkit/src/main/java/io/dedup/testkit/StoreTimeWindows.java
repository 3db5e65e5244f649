package io.dedup.testkit;

/**
 * When, by the store's clock, a recorded call may have taken effect, and how long a completed key must be remembered.
 *
 * <p>The checker never learns the exact store time of a call: it reads the clock before and after, and a store
 * judged by its own clock (Redis, a database) may drift from the checker's by up to the tolerance. So every step is
 * placed in a window {@code [low, high]}, and every rule asks whether <em>some</em> time inside the windows explains
 * the answer. Order without time comes from the calls' sequence numbers: only a call that returned before another
 * was made surely precedes it.
 *
 * <p>Immutable; thread-safe.
 *
 * @param tolerance how far the store's clock may be from the checker's, in milliseconds; 0 for an injected clock
 * @param retention the retention every completion and release of the history was written with, in milliseconds
 */
record StoreTimeWindows(long tolerance, long retention) {

    /** The earliest store time at which the step may have happened. */
    long low(HistoryCall.Step step) {
        return step.call.startMillis - tolerance;
    }

    /** The latest store time at which the step may have happened. */
    long high(HistoryCall.Step step) {
        return step.call.endMillis + tolerance;
    }

    /** Whether {@code a}'s call returned before {@code b}'s was made; overlapping calls precede neither way. */
    static boolean precedes(HistoryCall.Step a, HistoryCall.Step b) {
        return a.call.endSeq < b.call.startSeq;
    }
}
