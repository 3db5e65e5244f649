package io.dedup.jdbc;

import java.time.Duration;

/**
 * Durations as the whole microseconds the SQL adds to the database's clock: both dialects store timestamps to the
 * microsecond, so a finer duration would be rounded by the database anyway, and rounding up here keeps a 1 ns lease
 * from becoming an already-expired row. Stateless.
 */
final class Micros {
    /** About 1,000 years: longer durations are clamped, so that dates stay within every database's range. */
    static final long MAX = 1000L * 365 * 24 * 3600 * 1_000_000;

    private Micros() {}

    /** {@code duration} in microseconds, rounded up so that a positive duration never becomes zero, at most {@link #MAX}. */
    static long of(Duration duration) {
        if (duration.getSeconds() >= MAX / 1_000_000) {
            return MAX;
        }
        return duration.getSeconds() * 1_000_000 + (duration.getNano() + 999) / 1000;
    }

    /** Whole seconds, rounded up, at least one: the unit of JDBC query timeouts. */
    static int seconds(Duration duration) {
        // Rounded up: a 1.5 s lock timeout waits 2 s rather than 1 s, never less than asked; 0 would mean no limit.
        long seconds = duration.getSeconds() + (duration.getNano() > 0 ? 1 : 0);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, seconds));
    }
}
