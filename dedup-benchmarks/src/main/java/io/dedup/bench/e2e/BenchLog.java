package io.dedup.bench.e2e;

import java.util.Locale;

/**
 * The harness's progress lines on standard error, each prefixed {@code [bench]}, so they never mix with the results
 * table printed on standard output.
 *
 * <p>Stateless; thread-safe (one {@code printf} per line).
 */
final class BenchLog {
    private BenchLog() {}

    /** Prints one line, formatted in {@link Locale#ROOT} so decimals read the same on every machine. */
    static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[bench] " + format + "%n", args);
    }
}
