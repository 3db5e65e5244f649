package io.dedup.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * How the model-based checker ({@link StoreModelCheck}) reads and moves the time a store judges expiry by.
 *
 * <p>For a store that takes an injected clock, {@link #of(MutableClock)} reads that clock exactly and jumps it. For
 * a store judged by its server's clock, {@link #real(Duration)} reads this machine's clock and lets real time pass;
 * the tolerance widens every reading by that much on both sides, so a server clock a little apart from this one
 * never produces a false failure.
 *
 * <p>Implementations are thread-safe.
 */
public interface CheckerTime {
    /** The current time in epoch milliseconds, as near the store's clock as this process can read it. */
    long now();

    /** Makes {@code duration} pass for the store: jumps an injected clock, or waits for real time. */
    void pass(Duration duration);

    /** How far the store's clock may be from {@link #now()}; zero for an injected clock. */
    long toleranceMillis();

    /** Whether {@link #pass} moves time instantly (so histories may jump far) rather than waiting for it. */
    boolean jumps();

    /**
     * The injected clock the store under test reads. A reading is exact, since the store reads this very clock, so no
     * window needs widening; and jumps cost nothing, so histories may move time far past leases and retentions.
     */
    static CheckerTime of(MutableClock clock) {
        Objects.requireNonNull(clock, "clock");
        return new CheckerClock(clock::millis, clock::advance, 0, true);
    }

    /**
     * Real time on this machine, for stores judged by their server's clock (Redis TIME, the database's now()).
     * Passing time is the workload's think time: the point is that real time passes, not waiting for a condition.
     *
     * @param tolerance how far the server's clock may be from this machine's; not negative
     * @throws IllegalArgumentException if {@code tolerance} is negative
     */
    static CheckerTime real(Duration tolerance) {
        Objects.requireNonNull(tolerance, "tolerance");
        if (tolerance.isNegative()) {
            throw new IllegalArgumentException("tolerance must not be negative, got " + tolerance);
        }
        return new CheckerClock(System::currentTimeMillis, CheckerTime::sleep, tolerance.toMillis(), false);
    }

    /** Waits {@code duration} of real time, in slices of at most 50 ms. */
    private static void sleep(Duration duration) {
        long until = System.nanoTime() + duration.toNanos();
        for (long left = duration.toNanos(); left > 0; left = until - System.nanoTime()) {
            LockSupport.parkNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
        }
    }
}
