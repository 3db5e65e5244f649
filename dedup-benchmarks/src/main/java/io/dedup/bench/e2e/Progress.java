package io.dedup.bench.e2e;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far an arm is through its topic, and the measured interval: from the first record it received to the
 * last record it was done with. Thread-safe; an arm may report from several threads.
 */
public final class Progress {
    /** Records the run is done after: every record once, duplicates included. */
    private final long expected;
    /** The clock's start, in nanos, set by the first record to arrive; 0 until then. */
    private final AtomicLong started = new AtomicLong();
    /** Records done so far: handled, or dropped as duplicates. */
    private final AtomicLong delivered = new AtomicLong();
    /** When the last record was done; the clock's stop. */
    private volatile long finishedAt;
    /** Waiters for the last record park on this. */
    private final Object lock = new Object();

    /** @throws IllegalArgumentException if {@code expected} is not positive */
    public Progress(long expected) {
        if (expected <= 0) {
            throw new IllegalArgumentException("expected must be positive, was " + expected);
        }
        this.expected = expected;
    }

    /** Starts the clock the first time it is called; later calls do nothing. */
    public void started() {
        // read first: after the first record, every later call is a plain volatile read, no CAS contention
        if (started.get() == 0) {
            started.compareAndSet(0, System.nanoTime());
        }
    }

    /** One record is done (handled, or dropped as a duplicate). */
    public void delivered() {
        delivered(1);
    }

    /** {@code count} records are done. */
    public void delivered(long count) {
        started();
        long now = delivered.addAndGet(count);
        // the clock stops at the record that completes the count; waiters are woken once
        if (now >= expected && finishedAt == 0) {
            synchronized (lock) {
                if (finishedAt == 0) {
                    finishedAt = System.nanoTime();
                }
                lock.notifyAll();
            }
        }
    }

    /** Records done so far; the reference loops poll until it reaches {@link #expected()}. */
    public long deliveredCount() {
        return delivered.get();
    }

    /** The number of records the topic holds. */
    public long expected() {
        return expected;
    }

    /**
     * Waits until every record is done.
     *
     * @throws TimeoutException if they are not done within {@code timeout}, with the count reached
     */
    public void awaitAll(Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (finishedAt == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("only " + delivered.get() + " of " + expected + " records done in "
                            + timeout.toSeconds() + " s");
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /**
     * Seconds from the first record received to the last record done.
     *
     * @throws IllegalStateException if not every record is done yet: an unfinished run has no duration
     */
    public double seconds() {
        if (finishedAt == 0) {
            throw new IllegalStateException("not finished: " + delivered.get() + " of " + expected);
        }
        return Math.max(1, finishedAt - started.get()) / 1e9;
    }
}
