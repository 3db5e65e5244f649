package io.dedup.kafka.internal.share;

import java.time.Duration;

/**
 * When the share runner's waiting records may be claimed again: after the store back-off (doubling per failed try up
 * to its maximum, starting over once a batch settles cleanly), or, for records whose key is held elsewhere, after
 * their deferral. Times are {@link System#nanoTime()}.
 *
 * <p>Not thread-safe: the share runner's loop thread's.
 */
final class RetryClock {
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    /** The next store back-off. */
    private Duration backoff;
    /** When the waiting records may be claimed again. */
    private long retryAtNanos;

    RetryClock(Duration firstBackoff, Duration maxBackoff) {
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
        this.backoff = firstBackoff;
    }

    /** Whether the waiting records may be claimed now (no back-off or deferral pending). */
    boolean due() {
        return System.nanoTime() - retryAtNanos >= 0;
    }

    /** How long until the waiting records may be claimed again; zero when they may now. */
    Duration untilRetry() {
        long nanos = retryAtNanos - System.nanoTime();
        return nanos > 0 ? Duration.ofNanos(nanos) : Duration.ZERO;
    }

    /** The store (or the dead-letter topic) failed: wait the back-off, and double it for the next failure. */
    void backOff() {
        retryAtNanos = System.nanoTime() + backoff.toNanos();
        backoff = ShareSettlement.min(backoff.multipliedBy(2), maxBackoff);
    }

    /** A batch settled cleanly: the back-off starts over; deferred records wait {@code defer}, if any. */
    void settled(Duration defer) {
        backoff = firstBackoff;
        if (defer != null) {
            retryAtNanos = System.nanoTime() + defer.toNanos();
        }
    }
}
