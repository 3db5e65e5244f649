package io.dedup.bench.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The harness's command line. Immutable; thread-safe.
 *
 * <p>The quick and full defaults differ only in size and repetitions, never in what is measured, so a quick run's
 * ratios preview a full run's.
 *
 * @param quick whether this is the quick mode (small topics, one repetition) rather than the full one
 * @param messages records per no-op workload
 * @param dbMessages records per workload whose handler writes to PostgreSQL (each run is a commit)
 * @param slowMessages at most this many records per workload for the arms that are {@link Arm#slow()}
 * @param warmupMessages records of the unmeasured warm-up pass every arm makes first
 * @param repetitions how often every arm consumes every workload
 * @param partitions partitions per topic
 * @param arms the arms to run, by name; empty for all
 * @param workloads the workloads to run, by name; empty for all
 * @param output where the result files go
 */
public record BenchOptions(
        boolean quick,
        int messages,
        int dbMessages,
        int slowMessages,
        int warmupMessages,
        int repetitions,
        int partitions,
        Set<String> arms,
        Set<String> workloads,
        Path output) {

    /** The {@code --help} text; the options and defaults it lists are the ones {@link #parse} applies. */
    static final String USAGE =
            """
            Usage: java -cp dedup-benchmarks/target/benchmarks.jar io.dedup.bench.e2e.EndToEndBench [options]
              --quick               small topics, one repetition: a few minutes (default: the full run)
              --messages N          records per no-op workload (quick 50000, full 200000)
              --db-messages N       records per PostgreSQL-handler workload (quick 2000, full 20000)
              --slow-messages N     at most N records per workload for the slow arms, those with a
                                    round trip per message (quick 4000, full 40000)
              --warmup N            records of the unmeasured warm-up pass (quick 5000, full 20000)
              --repetitions N       repetitions, arm order rotated each time (quick 1, full 3)
              --partitions N        partitions per topic (default 2)
              --arms a,b,...        only these arms (default all)
              --workloads w,...     only these workloads, e.g. dup0-noop,replay-pg (default all)
              --out DIR             result directory (default dedup-benchmarks/target/bench)
              --help                this text
            """;

    /**
     * Reads the command line.
     *
     * @throws IllegalArgumentException on an unknown option or a bad value, with the usage text
     */
    public static BenchOptions parse(String... args) {
        List<String> list = Arrays.asList(args);
        boolean quick = list.contains("--quick");
        Integer messages = null;
        Integer dbMessages = null;
        Integer slowMessages = null;
        Integer warmup = null;
        Integer repetitions = null;
        int partitions = 2;
        Set<String> arms = Set.of();
        Set<String> workloads = Set.of();
        // run from the repository root or from the module: results land in the module's target either way
        Path output = Files.isDirectory(Path.of("dedup-benchmarks"))
                ? Path.of("dedup-benchmarks", "target", "bench")
                : Path.of("target", "bench");
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--quick")) {
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("unknown option or missing value: " + option + "\n" + USAGE);
            }
            String value = args[++i];
            switch (option) {
                case "--messages" -> messages = positive(option, value);
                case "--db-messages" -> dbMessages = positive(option, value);
                case "--slow-messages" -> slowMessages = positive(option, value);
                case "--warmup" -> warmup = positive(option, value);
                case "--repetitions" -> repetitions = positive(option, value);
                case "--partitions" -> partitions = positive(option, value);
                case "--arms" -> arms = names(value);
                case "--workloads" -> workloads = names(value);
                case "--out" -> output = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option: " + option + "\n" + USAGE);
            }
        }
        // an option given wins; otherwise the quick or full default
        return new BenchOptions(
                quick,
                messages != null ? messages : quick ? 50_000 : 200_000,
                dbMessages != null ? dbMessages : quick ? 2_000 : 20_000,
                slowMessages != null ? slowMessages : quick ? 4_000 : 40_000,
                warmup != null ? warmup : quick ? 5_000 : 20_000,
                repetitions != null ? repetitions : quick ? 1 : 3,
                partitions,
                arms,
                workloads,
                output);
    }

    /**
     * The workloads to run: of every workload (three duplicate patterns, each with the no-op and the PostgreSQL
     * handler), those named by {@code --workloads}, or all.
     *
     * @throws IllegalArgumentException if {@code --workloads} names none of them
     */
    List<Workload> selectedWorkloads() {
        List<Workload> all = new ArrayList<>();
        for (Workload.HandlerKind handler : Workload.HandlerKind.values()) {
            int size = handler == Workload.HandlerKind.NOOP ? messages : dbMessages;
            for (Workload.Duplicates duplicates : Workload.Duplicates.values()) {
                Workload workload = new Workload(duplicates, handler, size);
                if (workloads.isEmpty() || workloads.contains(workload.name())) {
                    all.add(workload);
                }
            }
        }
        if (all.isEmpty()) {
            throw new IllegalArgumentException("no workload matches " + workloads);
        }
        return all;
    }

    /** {@code value} as a positive number, or a failure naming {@code option}. */
    private static int positive(String option, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a positive number, got " + value);
    }

    /** A comma-separated list of names. */
    private static Set<String> names(String value) {
        return Set.copyOf(Arrays.asList(value.split(",")));
    }
}
