package io.dedup.bench.e2e;

import static io.dedup.bench.e2e.BenchLog.log;

import io.dedup.testkit.KafkaBroker;
import io.dedup.testkit.LocalServices;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The end-to-end comparison: for each workload, the same records are written once to a Kafka topic, then every
 * arm consumes that topic in turn (a RabbitMQ arm a queue filled with the same messages just before it runs), the
 * arm order rotated between repetitions (and workloads) so that no arm always runs first or last on a warming or
 * cooling machine. Every arm first makes one unmeasured warm-up pass.
 * Results (median of the repetitions) go to {@code results.csv}, {@code results.md} and {@code msgs_per_s.png}.
 *
 * <p>Run by hand, never by the build: {@code java -cp dedup-benchmarks/target/benchmarks.jar
 * io.dedup.bench.e2e.EndToEndBench --quick}. The Kafka broker runs in a child JVM started from this JVM's class
 * path; Redis, PostgreSQL and (for the RabbitMQ arms) RabbitMQ are found by {@link LocalServices}.
 * Exits 1 if an arm failed or a dedup arm ran the
 * handler other than once per unique key.
 *
 * <p>This class is the schedule: which topics are written, the warm-up, the rotation of arms, the medians. One
 * measurement is {@link ArmMeasurer}'s, the options {@link BenchOptions}', the header of the results {@link
 * RunDescription}'s and the files {@link ResultFiles}'. Runs on the main thread; not thread-safe.
 */
public final class EndToEndBench {
    /** The command line's choices: sizes, repetitions, arms, workloads. */
    private final BenchOptions options;
    /** Writes and deletes the workloads' topics. */
    private final TopicLoader topics;
    /** Runs each measurement; notes failures into {@link #failures}. */
    private final ArmMeasurer measurer;
    /** A short tag unique to this run, in every topic, group and table name it creates. */
    private final String tag;
    /**
     * What went wrong: an arm that failed, or ran the handler a wrong number of times. Any entry makes the exit code 1.
     */
    private final List<String> failures = new ArrayList<>();

    private EndToEndBench(BenchOptions options, BenchServices services, String tag) {
        this.options = options;
        this.topics = new TopicLoader(services.bootstrapServers());
        this.measurer = new ArmMeasurer(services, tag, failures);
        this.tag = tag;
    }

    /**
     * Parses the options ({@code --help} prints them), runs the comparison and exits with its code: 0 when every arm
     * ran correctly, 1 when one failed or ran the handler a wrong number of times, 2 for bad options.
     *
     * @throws Exception if a service the harness needs (Kafka, Redis, PostgreSQL) cannot be started or reached
     */
    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        // quiet clients: their INFO lines would bury the harness's own
        // the broker fixture polls with an admin client until the child broker listens: expected refusals
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka.clients.NetworkClient", "error");
        if (Arrays.asList(args).contains("--help")) {
            System.out.print(BenchOptions.USAGE);
            return;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(options));
    }

    /**
     * Runs the whole comparison; returns the process exit code.
     *
     * @throws Exception if the broker cannot be started or a service cannot be reached; a failing arm is not
     *     thrown but noted, and makes the exit code 1
     */
    static int run(BenchOptions options) throws Exception {
        long start = System.nanoTime();
        String loadAtStart = RunDescription.loadAverage();
        List<Arm> arms = Arms.select(options.arms());
        List<Workload> workloads = options.selectedWorkloads();
        // short and unique per run: topics, groups and tables of an interrupted run never collide with the next
        String tag = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
        log(
                "arms %s; workloads %s; %d repetition(s)",
                names(arms), workloads.stream().map(Workload::name).toList(), options.repetitions());
        // RabbitMQ is looked up only when a RabbitMQ arm runs, so a Kafka-only run needs no RabbitMQ
        boolean rabbit = arms.stream().anyMatch(arm -> arm.broker().equals(NamedArm.RABBITMQ));
        try (KafkaBroker broker = KafkaBroker.start();
                BenchServices services = new BenchServices(
                        broker.bootstrapServers(),
                        LocalServices.redis(),
                        LocalServices.postgres(),
                        rabbit ? LocalServices.rabbitmq() : null)) {
            EndToEndBench bench = new EndToEndBench(options, services, tag);
            List<Measurement> rows = bench.compare(arms, workloads);
            String description = RunDescription.describe(
                    options,
                    services,
                    arms,
                    (System.nanoTime() - start) / 1e9,
                    loadAtStart,
                    RunDescription.loadAverage());
            String markdown = ResultFiles.write(options.output(), rows, description);
            System.out.println();
            System.out.println(markdown);
            log(
                    "results in %s (%s, %s, %s)",
                    options.output().toAbsolutePath(), ResultFiles.CSV, ResultFiles.MARKDOWN, ResultFiles.CHART);
            bench.failures.forEach(failure -> log("FAILED: %s", failure));
            return bench.failures.isEmpty() ? 0 : 1;
        }
    }

    /**
     * Every arm on every workload, {@code options.repetitions()} times; one row per arm and workload, the median of
     * its repetitions. The arm order rotates with the repetition and the workload, so that no arm always meets a
     * machine warmed (or cooled) by the same predecessor.
     */
    private List<Measurement> compare(List<Arm> arms, List<Workload> workloads) throws Exception {
        Map<Workload, String> topicOf = new LinkedHashMap<>();
        Workload warmup =
                new Workload(Workload.Duplicates.TWENTY_PERCENT, Workload.HandlerKind.NOOP, options.warmupMessages());
        try {
            // every topic is written before any arm runs, so producing never competes with consuming
            for (Arm arm : arms) {
                if (arm.broker().equals(NamedArm.RABBITMQ)) {
                    continue; // a queue per measurement, filled in measure()
                }
                topic(topicOf, sized(arm, warmup), "warmup");
                for (Workload workload : workloads) {
                    topic(topicOf, sized(arm, workload), workload.name());
                }
            }
            // one unmeasured pass per arm: JIT, connection pools and the broker's page cache are warm for all alike
            for (Arm arm : arms) {
                Workload sized = sized(arm, warmup);
                measurer.measure(arm, sized, topicOf.get(sized), ArmMeasurer.WARM_UP);
            }
            Map<String, List<Measurement>> byArmAndWorkload = new LinkedHashMap<>();
            for (int repetition = 0; repetition < options.repetitions(); repetition++) {
                for (int w = 0; w < workloads.size(); w++) {
                    for (Arm arm : rotate(arms, repetition + w)) {
                        Workload sized = sized(arm, workloads.get(w));
                        Measurement m = measurer.measure(
                                arm,
                                sized,
                                topicOf.get(sized),
                                "repetition " + (repetition + 1) + "/" + options.repetitions());
                        if (m != null) {
                            byArmAndWorkload
                                    .computeIfAbsent(sized.name() + "\n" + arm.name(), k -> new ArrayList<>())
                                    .add(m);
                        }
                    }
                }
            }
            // the median, not the mean: one repetition disturbed by another build on the machine does not move it
            List<Measurement> rows = new ArrayList<>();
            for (Workload workload : workloads) {
                for (Arm arm : arms) {
                    List<Measurement> reps = byArmAndWorkload.get(workload.name() + "\n" + arm.name());
                    if (reps != null) {
                        rows.add(Measurement.median(reps));
                    }
                }
            }
            return rows;
        } finally {
            // topics are deleted also after a failure; a broker the harness started is removed anyway
            topicOf.values().forEach(topics::delete);
        }
    }

    /** The workload as {@code arm} consumes it: smaller for a slow arm. */
    private Workload sized(Arm arm, Workload workload) {
        return arm.slow() ? workload.atMost(options.slowMessages()) : workload;
    }

    /** Writes {@code workload}'s topic unless it was written already. */
    private void topic(Map<Workload, String> topicOf, Workload workload, String name) throws Exception {
        if (topicOf.containsKey(workload)) {
            return;
        }
        // one topic per workload and size: slow arms get their smaller topic of the same workload
        String topic = "bench-" + tag + "-" + name + "-" + workload.messages();
        long t0 = System.nanoTime();
        topics.load(topic, options.partitions(), workload.keys());
        topicOf.put(workload, topic);
        log("topic %s: %d records written in %.1f s", topic, workload.messages(), (System.nanoTime() - t0) / 1e9);
    }

    /** {@code list} started at position {@code by} (modulo its size) and wrapped around. */
    private static <T> List<T> rotate(List<T> list, int by) {
        List<T> rotated = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            rotated.add(list.get((i + by) % list.size()));
        }
        return rotated;
    }

    /** The arms' names, for the log and the results header. */
    private static List<String> names(List<Arm> arms) {
        return arms.stream().map(Arm::name).toList();
    }
}
