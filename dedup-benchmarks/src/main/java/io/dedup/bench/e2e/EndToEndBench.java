package io.dedup.bench.e2e;

import io.dedup.testkit.KafkaBroker;
import io.dedup.testkit.LocalServices;
import java.net.InetAddress;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The end-to-end comparison: for each workload, the same records are written once to a Kafka topic, then every
 * arm consumes that topic in turn (a RabbitMQ arm a queue filled with the same messages just before it runs), the
 * arm order rotated between repetitions (and workloads) so that no arm always runs first or last on a warming or
 * cooling machine. Every arm first makes one unmeasured warm-up pass.
 * Results (median of the repetitions) go to {@code results.csv}, {@code results.md} and {@code msgs_per_s.png}.
 *
 * <p>Run by hand, never by the build: {@code java -cp dedup-benchmarks/target/benchmarks.jar
 * io.dedup.bench.e2e.EndToEndBench --quick}. The Kafka broker runs in a child JVM started from this JVM's class
 * path; Redis, PostgreSQL and (for the RabbitMQ arms) RabbitMQ are found by {@link LocalServices}. Exits 1 if an arm failed or a dedup arm ran the
 * handler other than once per unique key.
 */
public final class EndToEndBench {
    private static final String RABBITMQ = "rabbitmq";

    private final BenchOptions options;
    private final BenchServices services;
    private final TopicLoader topics;
    private final QueueLoader queues;
    private final String tag;
    private final AtomicInteger runs = new AtomicInteger();
    private final List<String> failures = new ArrayList<>();

    private EndToEndBench(BenchOptions options, BenchServices services, String tag) {
        this.options = options;
        this.services = services;
        this.topics = new TopicLoader(services.bootstrapServers());
        this.queues = new QueueLoader(services);
        this.tag = tag;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        // the broker fixture polls with an admin client until the child broker listens: expected refusals
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka.clients.NetworkClient", "error");
        if (java.util.Arrays.asList(args).contains("--help")) {
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

    /** Runs the whole comparison; returns the process exit code. */
    static int run(BenchOptions options) throws Exception {
        long start = System.nanoTime();
        String loadAtStart = loadAverage();
        List<Arm> arms = Arms.select(options.arms());
        List<Workload> workloads = options.selectedWorkloads();
        String tag = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
        log(
                "arms %s; workloads %s; %d repetition(s)",
                names(arms), workloads.stream().map(Workload::name).toList(), options.repetitions());
        boolean rabbit = arms.stream().anyMatch(arm -> arm.broker().equals(RABBITMQ));
        try (KafkaBroker broker = KafkaBroker.start();
                BenchServices services = new BenchServices(
                        broker.bootstrapServers(),
                        LocalServices.redis(),
                        LocalServices.postgres(),
                        rabbit ? LocalServices.rabbitmq() : null)) {
            EndToEndBench bench = new EndToEndBench(options, services, tag);
            List<Measurement> rows = bench.compare(arms, workloads);
            String description = bench.describe(arms, (System.nanoTime() - start) / 1e9, loadAtStart, loadAverage());
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

    private List<Measurement> compare(List<Arm> arms, List<Workload> workloads) throws Exception {
        Map<Workload, String> topicOf = new LinkedHashMap<>();
        Workload warmup =
                new Workload(Workload.Duplicates.TWENTY_PERCENT, Workload.HandlerKind.NOOP, options.warmupMessages());
        try {
            // every topic is written before any arm runs, so producing never competes with consuming
            for (Arm arm : arms) {
                if (arm.broker().equals(RABBITMQ)) {
                    continue; // a queue per measurement, filled in measure()
                }
                topic(topicOf, sized(arm, warmup), "warmup");
                for (Workload workload : workloads) {
                    topic(topicOf, sized(arm, workload), workload.name());
                }
            }
            for (Arm arm : arms) {
                Workload sized = sized(arm, warmup);
                measure(arm, sized, topicOf.get(sized), "warm-up");
            }
            Map<String, List<Measurement>> byArmAndWorkload = new LinkedHashMap<>();
            for (int repetition = 0; repetition < options.repetitions(); repetition++) {
                for (int w = 0; w < workloads.size(); w++) {
                    for (Arm arm : rotate(arms, repetition + w)) {
                        Workload sized = sized(arm, workloads.get(w));
                        Measurement m = measure(
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
        String topic = "bench-" + tag + "-" + name + "-" + workload.messages();
        long t0 = System.nanoTime();
        topics.load(topic, options.partitions(), workload.keys());
        topicOf.put(workload, topic);
        log("topic %s: %d records written in %.1f s", topic, workload.messages(), (System.nanoTime() - t0) / 1e9);
    }

    /**
     * One arm on one workload; null (and a failure noted) if the arm failed. {@code topic} is the workload's Kafka
     * topic; a RabbitMQ arm gets a queue filled for it here instead.
     */
    private Measurement measure(Arm arm, Workload workload, String topic, String phase) {
        String runId = "b" + tag + "_" + runs.incrementAndGet();
        String effects = "bench_effects_" + runId;
        boolean db = workload.handler() == Workload.HandlerKind.POSTGRES_ROW;
        boolean rabbit = arm.broker().equals(RABBITMQ);
        Duration timeout = Duration.ofSeconds(60).plusMillis(workload.messages() * 3L);
        if (rabbit) {
            topic = "bench-" + runId; // a queue is consumed destructively: every measurement fills its own
        }
        try {
            if (rabbit) {
                queues.load(topic, workload.keys());
            }
            if (db) {
                services.execute("CREATE TABLE " + effects + " (k VARCHAR(100) NOT NULL, payload TEXT NOT NULL)");
            }
            try (BenchHandler handler = db
                    ? BenchHandler.insertingInto(services, effects, workload.uniqueKeys())
                    : BenchHandler.noop(workload.uniqueKeys())) {
                ArmRun run = new ArmRun(runId, workload, topic, handler, services, timeout);
                long calls;
                try {
                    arm.setUp(run);
                    long before = services.storeRoundTrips(arm.store());
                    arm.consume(run);
                    calls = arm.store() == StoreKind.MEMORY
                            ? run.storeTimings().calls()
                            : services.storeRoundTrips(arm.store()) - before;
                } finally {
                    arm.tearDown(run);
                }
                Measurement m = result(arm, run, calls);
                log(
                        "%-13s %-12s %-14s %9.0f msgs/s  p50 %7.1f us  p99 %8.1f us  %.3f calls/msg  runs %d/%d%s",
                        phase,
                        workload.name(),
                        arm.name(),
                        m.msgsPerS(),
                        m.p50us(),
                        m.p99us(),
                        m.storeCallsPerMsg(),
                        m.handlerRuns(),
                        m.uniqueKeys(),
                        check(arm, run));
                return phase.equals("warm-up") ? null : m;
            }
        } catch (Exception e) {
            String failure = arm.name() + " on " + workload.name() + " (" + phase + "): " + e;
            failures.add(failure);
            log("FAILED %s", failure);
            e.printStackTrace();
            return null;
        } finally {
            if (rabbit) {
                queues.delete(topic);
            }
            if (db) {
                try {
                    services.dropTable(effects);
                } catch (Exception e) {
                    log("could not drop %s: %s", effects, e);
                }
            }
        }
    }

    private static Measurement result(Arm arm, ArmRun run, long storeCalls) {
        Workload workload = run.workload();
        double seconds = run.progress().seconds();
        LatencyRecorder latencies = run.storeTimings().perMessage();
        return new Measurement(
                arm.name(),
                arm.store().label(),
                arm.broker(),
                workload.name(),
                workload.messages(),
                seconds,
                workload.messages() / seconds,
                latencies.percentileMicros(0.50),
                latencies.percentileMicros(0.99),
                (double) storeCalls / workload.messages(),
                run.handler().runs(),
                workload.uniqueKeys());
    }

    /**
     * The correctness check: an arm with a store must run the handler exactly once per unique key; the baseline
     * once per record. Records a failure and returns a marker when it does not.
     */
    private String check(Arm arm, ArmRun run) {
        BenchHandler handler = run.handler();
        Workload workload = run.workload();
        boolean ok = arm.store() == StoreKind.NONE
                ? handler.runs() == workload.messages()
                : handler.runs() == workload.uniqueKeys() && handler.distinctKeys() == workload.uniqueKeys();
        if (ok) {
            return "";
        }
        failures.add(arm.name() + " on " + workload.name() + ": handler ran " + handler.runs() + " times for "
                + handler.distinctKeys() + " distinct keys; expected " + workload.uniqueKeys() + " unique keys"
                + " in " + workload.messages() + " records");
        return "  <-- WRONG";
    }

    private String describe(List<Arm> arms, double totalSeconds, String loadAtStart, String loadAtEnd) {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "unknown host";
        }
        Runtime runtime = Runtime.getRuntime();
        return String.format(
                Locale.ROOT,
                "End-to-end dedup benchmark, %s mode, %s.%n%n"
                        + "- machine: %s, %d cores, %s %s, Java %s (max heap %d MiB)%n"
                        + "- broker: Kafka (clients %s; KRaft, one node, child JVM), %d partition(s) per topic, %d records"
                        + " per poll%n"
                        + "- arms: %s; %d repetition(s), median shown; %d warm-up records per arm first%n"
                        + "- workloads: %d records (no-op handler), %d records (handler inserts one PostgreSQL row);"
                        + " slow arms (a round trip per message) at most %d%n"
                        + "%s"
                        + "- total time %.0f s; load average (1, 5, 15 min) %s at the start, %s at the end",
                options.quick() ? "quick" : "full",
                ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                host,
                runtime.availableProcessors(),
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                System.getProperty("java.version"),
                runtime.maxMemory() >> 20,
                kafkaClientsVersion(),
                options.partitions(),
                ArmRun.MAX_POLL_RECORDS,
                String.join(", ", names(arms)),
                options.repetitions(),
                options.warmupMessages(),
                options.messages(),
                options.dbMessages(),
                options.slowMessages(),
                rabbitDescription(arms),
                totalSeconds,
                loadAtStart,
                loadAtEnd);
    }

    /** A line on the RabbitMQ arms' broker, or nothing when none ran. */
    private String rabbitDescription(List<Arm> arms) {
        if (arms.stream().noneMatch(arm -> arm.broker().equals(RABBITMQ))) {
            return "";
        }
        String version;
        try (com.rabbitmq.client.Connection connection = services.rabbitConnection("bench-version")) {
            version = String.valueOf(connection.getServerProperties().get("version"));
        } catch (Exception e) {
            version = "(unknown version)";
        }
        return String.format(
                Locale.ROOT,
                "- broker: RabbitMQ %s, a classic non-durable queue per measurement filled before it, prefetch %d%n",
                version,
                RabbitBaselineArm.PREFETCH);
    }

    /** The machine's load average, from {@code /proc/loadavg} (Linux), or "unknown". */
    static String loadAverage() {
        try {
            String[] fields = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg"))
                    .trim()
                    .split("\\s+");
            return fields[0] + " / " + fields[1] + " / " + fields[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The kafka-clients version, from the properties file the client jar carries. */
    private static String kafkaClientsVersion() {
        java.util.Properties properties = new java.util.Properties();
        try (java.io.InputStream in = org.apache.kafka.clients.consumer.KafkaConsumer.class.getResourceAsStream(
                "/kafka/kafka-version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (java.io.IOException e) {
            // unknown, below
        }
        return properties.getProperty("version", "(unknown version)");
    }

    private static <T> List<T> rotate(List<T> list, int by) {
        List<T> rotated = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            rotated.add(list.get((i + by) % list.size()));
        }
        return rotated;
    }

    private static List<String> names(List<Arm> arms) {
        return arms.stream().map(Arm::name).toList();
    }

    private static void log(String format, Object... args) {
        System.err.printf(Locale.ROOT, "[bench] " + format + "%n", args);
    }
}
