package io.dedup.testkit;

import java.time.Duration;
import java.util.Objects;

/**
 * The durations and sizes of the histories {@link StoreModelCheck} generates.
 *
 * <p>Immutable and thread-safe.
 *
 * @param lease the lease of every claim; positive
 * @param retention the retention of every claim, completion and release; positive
 * @param longestPause the longest single time step a worker takes between calls (a clock jump, or real time
 *     passing); positive
 * @param workers how many threads issue calls at once; at least 1
 * @param callsPerWorker how many calls each worker issues in one history; at least 1
 * @param keys how many distinct keys one history uses; at least 1
 * @param callTimeout a call that has not returned after this long is reported as hung; positive
 */
public record CheckerSettings(
        Duration lease,
        Duration retention,
        Duration longestPause,
        int workers,
        int callsPerWorker,
        int keys,
        Duration callTimeout) {
    public CheckerSettings {
        positive(lease, "lease");
        positive(retention, "retention");
        positive(longestPause, "longestPause");
        positive(callTimeout, "callTimeout");
        atLeastOne(workers, "workers");
        atLeastOne(callsPerWorker, "callsPerWorker");
        atLeastOne(keys, "keys");
    }

    /**
     * For a store on an injected clock: a 1 s lease, 2 s retention, jumps up to 2.5 s. A single jump can outlast
     * both the lease and the retention, so takeovers and expiries happen inside every history, at no cost in real
     * time.
     */
    public static CheckerSettings forInjectedClock() {
        return preset(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofMillis(2500), 4, 25);
    }

    /**
     * For a store on its server's clock: a 150 ms lease, 250 ms retention, pauses up to 200 ms. Short enough that
     * leases lapse and records expire within a history of real time, long enough above the clock tolerance that a
     * lapse is not lost in it; fewer workers and calls than with an injected clock, since every pause is real.
     */
    public static CheckerSettings forRealTime() {
        return preset(Duration.ofMillis(150), Duration.ofMillis(250), Duration.ofMillis(200), 3, 20);
    }

    /** A preset: what the presets share is three keys per history and a 10 s limit on a single call. */
    private static CheckerSettings preset(
            Duration lease, Duration retention, Duration longestPause, int workers, int callsPerWorker) {
        return new CheckerSettings(lease, retention, longestPause, workers, callsPerWorker, 3, Duration.ofSeconds(10));
    }

    /** These settings with another retention. */
    public CheckerSettings withRetention(Duration retention) {
        return new CheckerSettings(lease, retention, longestPause, workers, callsPerWorker, keys, callTimeout);
    }

    /** These settings with another lease. */
    public CheckerSettings withLease(Duration lease) {
        return new CheckerSettings(lease, retention, longestPause, workers, callsPerWorker, keys, callTimeout);
    }

    /** These settings with another number of keys. */
    public CheckerSettings withKeys(int keys) {
        return new CheckerSettings(lease, retention, longestPause, workers, callsPerWorker, keys, callTimeout);
    }

    /** Checks a duration when the settings are made, naming the parameter that is wrong. */
    private static void positive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    /** Checks a count when the settings are made, naming the parameter that is wrong. */
    private static void atLeastOne(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }
}
