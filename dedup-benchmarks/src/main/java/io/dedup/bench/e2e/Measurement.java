package io.dedup.bench.e2e;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * One row of the results: what one arm did on one workload, in one repetition or as the median of several.
 * Immutable; thread-safe. Its fields are the CSV columns, in order, which scripts and docs/benchmarks.md rely on.
 *
 * @param arm the arm's name
 * @param store the store it used ({@code none} for the baseline)
 * @param broker the broker it read from
 * @param workload the workload's name
 * @param messages records on the topic
 * @param seconds from the first record received to the last record done
 * @param msgsPerS messages divided by seconds
 * @param p50us median per-message time in store calls, microseconds
 * @param p99us 99th percentile of the same
 * @param storeCallsPerMsg store calls (see {@link StoreKind}) divided by messages
 * @param handlerRuns how many times the handler ran
 * @param uniqueKeys distinct keys on the topic
 * @param jitMs milliseconds the JIT compilers spent while the arm consumed ({@link JvmWork}): high means the run
 *     measured the warm-up too
 * @param gcMs milliseconds of garbage collection while the arm consumed
 * @param cpuUsPerMsg this JVM's CPU time while the arm consumed (all threads: the arm's, the compiler's, GC's), in
 *     microseconds per message; the broker's and the store server's are not in it
 */
public record Measurement(
        String arm,
        String store,
        String broker,
        String workload,
        long messages,
        double seconds,
        double msgsPerS,
        double p50us,
        double p99us,
        double storeCallsPerMsg,
        long handlerRuns,
        long uniqueKeys,
        long jitMs,
        long gcMs,
        double cpuUsPerMsg) {
    /** @throws NullPointerException if a name is null */
    public Measurement {
        Objects.requireNonNull(arm, "arm");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(broker, "broker");
        Objects.requireNonNull(workload, "workload");
    }

    /**
     * The median of repetitions of the same arm and workload, column by column (the mean of the middle two for
     * an even count).
     *
     * @throws IllegalArgumentException if {@code repetitions} is empty or mixes arms or workloads
     */
    public static Measurement median(List<Measurement> repetitions) {
        if (repetitions.isEmpty()) {
            throw new IllegalArgumentException("no repetitions");
        }
        Measurement first = repetitions.get(0);
        for (Measurement m : repetitions) {
            if (!m.arm.equals(first.arm) || !m.workload.equals(first.workload)) {
                throw new IllegalArgumentException(
                        "repetitions mix " + first.arm + "/" + first.workload + " and " + m.arm + "/" + m.workload);
            }
        }
        // each column's own median: the row need not be one repetition, but no single disturbed repetition moves it
        return new Measurement(
                first.arm,
                first.store,
                first.broker,
                first.workload,
                first.messages,
                median(repetitions, Measurement::seconds),
                median(repetitions, Measurement::msgsPerS),
                median(repetitions, Measurement::p50us),
                median(repetitions, Measurement::p99us),
                median(repetitions, Measurement::storeCallsPerMsg),
                Math.round(median(repetitions, Measurement::handlerRuns)),
                first.uniqueKeys,
                Math.round(median(repetitions, Measurement::jitMs)),
                Math.round(median(repetitions, Measurement::gcMs)),
                median(repetitions, Measurement::cpuUsPerMsg));
    }

    /** The median of {@code column} over {@code rows} (the mean of the middle two for an even count). */
    private static double median(List<Measurement> rows, ToDoubleFunction<Measurement> column) {
        double[] values = rows.stream().mapToDouble(column).sorted().toArray();
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    /**
     * The figures on one line, as the harness logs each measurement when it ends: the arm's, then in parentheses the
     * JVM's work during it (the compiler's share says how far the figures are the warm-up's).
     */
    String figures() {
        String arm = String.format(
                Locale.ROOT,
                "%9.0f msgs/s  p50 %7.1f us  p99 %8.1f us  %.3f calls/msg  runs %d/%d",
                msgsPerS,
                p50us,
                p99us,
                storeCallsPerMsg,
                handlerRuns,
                uniqueKeys);
        return arm + String.format(Locale.ROOT, "  (CPU %.2f us/msg, JIT %d ms, GC %d ms)", cpuUsPerMsg, jitMs, gcMs);
    }

    /** The columns, in {@link ResultFiles#CSV_HEADER} order. */
    Object[] columns() {
        return new Object[] {
            arm,
            store,
            broker,
            workload,
            messages,
            seconds,
            msgsPerS,
            p50us,
            p99us,
            storeCallsPerMsg,
            handlerRuns,
            uniqueKeys,
            jitMs,
            gcMs,
            cpuUsPerMsg
        };
    }
}
