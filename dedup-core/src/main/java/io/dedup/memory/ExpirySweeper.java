package io.dedup.memory;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Decides when the {@link InMemoryDedupStore} sweeps its expired records, so that sweeping costs amortised constant
 * time per new key: only after as many inserts as half the map holds (at least 1024), and only once the earliest
 * expiry noted has passed, since a sweep before then would scan live records only. One sweep runs at a time; a
 * thread that finds one running skips it rather than waiting.
 *
 * <p>Thread-safe: lock-free counters, and a try-lock around the sweep.
 */
final class ExpirySweeper {
    private final AtomicLong insertsSinceSweep = new AtomicLong();
    /** No record expires before this; sweeping earlier would only scan live records. */
    private final AtomicLong earliestExpiry = new AtomicLong(Long.MAX_VALUE);

    private final ReentrantLock sweeping = new ReentrantLock();

    /** Keeps the earliest expiry seen; reads first, so the common case (later expiries) writes nothing. */
    void noteExpiry(long expiresAt) {
        long current;
        while (expiresAt < (current = earliestExpiry.get())) {
            if (earliestExpiry.compareAndSet(current, expiresAt)) {
                return;
            }
        }
    }

    /**
     * A new key was inserted into a map of {@code size} records; runs {@code purge} when a sweep is due. The clock is
     * read only when enough keys were inserted, and when nothing has expired yet the count starts over: a store whose
     * records all live for a day would otherwise read the clock on every insert once half its size was reached.
     */
    void inserted(long size, LongSupplier clock, Runnable purge) {
        if (insertsSinceSweep.incrementAndGet() > Math.max(1024, size / 2)) {
            if (clock.getAsLong() >= earliestExpiry.get()) {
                sweep(purge);
            } else {
                insertsSinceSweep.set(0);
            }
        }
    }

    private void sweep(Runnable purge) {
        if (sweeping.tryLock()) {
            try {
                insertsSinceSweep.set(0);
                earliestExpiry.set(Long.MAX_VALUE); // the scan below notes what remains
                purge.run();
            } finally {
                sweeping.unlock();
            }
        }
    }
}
