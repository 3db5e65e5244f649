package io.dedup.bench.e2e;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Issues 8, 14 and 15's targets, read from one run's rows (medians of the same run, so the ratios hold on a noisy
 * machine): per workload, the throughput ratios of this library's arms to Camel's, to the baseline and (Redis) to the
 * plain-Lettuce {@code redis-ceiling}, and the store calls per message of the batched arms. The RabbitMQ ratios have
 * no target of their own; they are held to issue 8's Kafka one for comparison.
 *
 * <p>Ratios, not absolute rates: a shared two-core machine's throughput moves from run to run, but arms measured in
 * the same run, in rotated order, move together. Stateless; thread-safe.
 */
final class Targets {
    /**
     * One target on one workload.
     *
     * @param target what is held, e.g. {@code dedup-redis / camel-redis >= 10}
     * @param value the measured ratio or calls per message
     * @param met whether the value meets the target
     */
    record Check(String target, String workload, double value, boolean met) {}

    /**
     * Batched arms must make fewer than one store call per 20 messages: a poll of 500 costs one claim and a few
     * coalesced completion calls, so anything above this means batching broke somewhere.
     */
    private static final double BATCHED_CALLS_PER_MSG = 0.05;
    /**
     * The arms whose store calls are batched per poll or prefetch window (not {@code dedup-redis-single}, on purpose).
     */
    private static final List<String> BATCHED_ARMS =
            List.of("dedup-memory", "dedup-redis", "dedup-jdbc", "dedup-memory-rabbit", "dedup-redis-rabbit");

    /** The suffix of the workloads whose handler inserts a PostgreSQL row ({@link Workload.HandlerKind}). */
    private static final String PG_SUFFIX = "-" + Workload.HandlerKind.POSTGRES_ROW.label();

    private Targets() {}

    /** Every target whose arms are in {@code rows}, workload by workload. */
    static List<Check> check(List<Measurement> rows) {
        Set<String> workloads = new LinkedHashSet<>();
        rows.forEach(m -> workloads.add(m.workload()));
        List<Check> checks = new ArrayList<>();
        for (String workload : workloads) {
            // batching: one Redis round trip per poll against Camel's one per message
            ratio(rows, workload, "dedup-redis", "camel-redis", 10, checks);
            // fencing, outcomes and scripts may cost at most half of what bare pipelined SETs reach
            ratio(rows, workload, "dedup-redis", "redis-ceiling", 0.5, checks);
            ratio(rows, workload, "dedup-redis", "baseline", 0.5, checks);
            // one statement per batch against Camel's SELECT and INSERT in a transaction per message
            ratio(rows, workload, "dedup-jdbc", "camel-jdbc", 5, checks);
            // issue 15: with a handler that writes a row, the runner keeps up with it (in-memory store) or nearly
            // (the store on the handler's own database); with a no-op handler, the runner's own cost shows
            if (workload.endsWith(PG_SUFFIX)) {
                ratio(rows, workload, "dedup-memory", "baseline", 0.95, checks);
            }
            if (workload.equals("dup0-pg")) {
                ratio(rows, workload, "dedup-jdbc", "baseline", 0.9, checks);
            }
            if (workload.equals("dup0-noop")) {
                ratio(rows, workload, "dedup-memory", "baseline", 0.6, checks);
            }
            ratio(rows, workload, "dedup-redis-rabbit", "baseline-rabbit", 0.5, checks);
            ratio(rows, workload, "dedup-memory-rabbit", "baseline-rabbit", 0.9, checks);
            // the batching itself, independent of the machine's speed; with a slow handler completions go out every
            // few milliseconds as handlers finish (issue 15), so there the count follows the handler's pace instead
            for (String arm : workload.endsWith(PG_SUFFIX) ? List.<String>of() : BATCHED_ARMS) {
                find(rows, arm, workload)
                        .ifPresent(m -> checks.add(new Check(
                                arm + " store calls/msg < " + BATCHED_CALLS_PER_MSG,
                                workload,
                                m.storeCallsPerMsg(),
                                m.storeCallsPerMsg() < BATCHED_CALLS_PER_MSG)));
            }
        }
        return checks;
    }

    /** Adds the check {@code arm / other >= atLeast} on {@code workload} when both arms ran it. */
    private static void ratio(
            List<Measurement> rows, String workload, String arm, String other, double atLeast, List<Check> checks) {
        Optional<Measurement> ours = find(rows, arm, workload);
        Optional<Measurement> theirs = find(rows, other, workload);
        if (ours.isPresent() && theirs.isPresent() && theirs.get().msgsPerS() > 0) {
            double ratio = ours.get().msgsPerS() / theirs.get().msgsPerS();
            checks.add(new Check(arm + " / " + other + " >= " + format(atLeast), workload, ratio, ratio >= atLeast));
        }
    }

    /** The row of {@code arm} on {@code workload}, if that arm ran it. */
    private static Optional<Measurement> find(List<Measurement> rows, String arm, String workload) {
        return rows.stream()
                .filter(m -> m.arm().equals(arm) && m.workload().equals(workload))
                .findFirst();
    }

    /** The checks as a Markdown table; empty when there are none. */
    static String markdown(List<Check> checks) {
        if (checks.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder("| target | workload | measured | met |\n|---|---|---:|---|\n");
        for (Check check : checks) {
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s |%n",
                    check.target(),
                    check.workload(),
                    check.target().contains("calls/msg")
                            ? String.format(Locale.ROOT, "%.3f", check.value())
                            : String.format(Locale.ROOT, "%.2fx", check.value()),
                    check.met() ? "yes" : "**no**"));
        }
        return out.toString();
    }

    /** A target as written in the issue: {@code 10}, not {@code 10.0}. */
    private static String format(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
