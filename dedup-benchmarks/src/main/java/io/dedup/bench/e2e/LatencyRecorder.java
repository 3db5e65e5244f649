package io.dedup.bench.e2e;

import java.util.Arrays;

/**
 * Per-message durations in nanoseconds, kept in full (a few hundred thousand longs per run) so percentiles are
 * exact. Thread-safe.
 */
public final class LatencyRecorder {
    /** Every recorded value, grown by doubling: exact percentiles, and no allocation per record once grown. */
    private long[] values = new long[1 << 14];
    /** Values recorded so far. */
    private int size;

    /** Adds one message's duration. */
    public synchronized void record(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
    }

    /** How many durations were recorded. */
    public synchronized int count() {
        return size;
    }

    /**
     * The {@code quantile} (0 to 1, nearest rank) in microseconds, or 0 when nothing was recorded (an arm
     * without a store).
     *
     * @throws IllegalArgumentException if {@code quantile} is outside [0, 1]
     */
    public synchronized double percentileMicros(double quantile) {
        if (quantile < 0 || quantile > 1) {
            throw new IllegalArgumentException("quantile must be within [0, 1], was " + quantile);
        }
        if (size == 0) {
            return 0;
        }
        // sorted on demand: percentiles are read a few times per run, records added hundreds of thousands of times
        long[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(quantile * size);
        return sorted[Math.max(0, rank - 1)] / 1000.0;
    }
}
