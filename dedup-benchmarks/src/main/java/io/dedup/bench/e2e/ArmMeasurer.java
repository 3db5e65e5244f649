package io.dedup.bench.e2e;

import static io.dedup.bench.e2e.BenchLog.log;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Measures one arm on one workload: gives it a fresh run (its own consumer group or queue, its own effects table),
 * counts the store round trips it made, turns the run into a {@link Measurement}, and checks that the handler ran as
 * often as it should.
 *
 * <p>Why the comparison is fair: every arm consumes the same records with the same handler, partitions and poll
 * size; store calls are counted on the store's side ({@link BenchServices#storeRoundTrips}), not by the arm, so an
 * arm that batches is credited exactly for the round trips it saved; and a dedup arm's figures only count when it
 * ran the handler exactly once per unique key, so no arm is fast by skipping work.
 *
 * <p>Not thread-safe: the harness measures one arm at a time.
 */
final class ArmMeasurer {
    /** The phase name of the unmeasured pass; its measurement is logged, checked and then dropped. */
    static final String WARM_UP = "warm-up";

    /** The shared services; the source of the store call counts. */
    private final BenchServices services;
    /** Fills and deletes the RabbitMQ arms' queues. */
    private final QueueLoader queues;

    /** The run's tag, in every run id. */
    private final String tag;
    /** Shared with the harness, which reports them and sets the exit code. */
    private final List<String> failures;

    /** Measurements made so far; numbers each run's id. */
    private final AtomicInteger runs = new AtomicInteger();

    /**
     * @param tag a short run tag that keeps this run's groups, queues and tables apart from earlier runs'
     * @param failures where a failed arm or a wrong handler count is noted; the harness exits 1 if it is not empty
     */
    ArmMeasurer(BenchServices services, String tag, List<String> failures) {
        this.services = services;
        this.queues = new QueueLoader(services);
        this.tag = tag;
        this.failures = failures;
    }

    /**
     * One arm on one workload; null (and a failure noted) if the arm failed, null too for the {@link #WARM_UP}
     * phase, which is run for its side effect on the JIT and the services alone. {@code topic} is the workload's
     * Kafka topic; a RabbitMQ arm gets a queue filled for it here instead.
     */
    Measurement measure(Arm arm, Workload workload, String topic, String phase) {
        String runId = "b" + tag + "_" + runs.incrementAndGet();
        String effects = "bench_effects_" + runId;
        boolean db = workload.handler() == Workload.HandlerKind.POSTGRES_ROW;
        boolean rabbit = arm.broker().equals(NamedArm.RABBITMQ);
        // generous: a timeout is a failure, not a measurement, so it only has to catch an arm that stalls
        Duration timeout = Duration.ofSeconds(60).plusMillis(workload.messages() * 3L);
        if (rabbit) {
            topic = "bench-" + runId; // a queue is consumed destructively: every measurement fills its own
        }
        try {
            if (rabbit) {
                queues.load(topic, workload.keys());
            }
            // the PostgreSQL handler's table, created before the clock starts, dropped after the run
            if (db) {
                services.execute("CREATE TABLE " + effects + " (k VARCHAR(100) NOT NULL, payload TEXT NOT NULL)");
            }
            try (BenchHandler handler = db
                    ? BenchHandler.insertingInto(services, effects, workload.uniqueKeys())
                    : BenchHandler.noop(workload.uniqueKeys())) {
                ArmRun run = new ArmRun(runId, workload, topic, handler, services, timeout);
                long calls;
                JvmWork jvm;
                try {
                    arm.setUp(run);
                    long before = services.storeRoundTrips(arm.store());
                    JvmWork start = JvmWork.now();
                    arm.consume(run);
                    jvm = JvmWork.now().since(start);
                    // the in-memory store has no server to count on: the arm's own timed calls are its round trips;
                    // a handler's inserts on the store's own connection (dedup-jdbc-tx) are the handler's, not calls
                    calls = arm.store() == StoreKind.MEMORY
                            ? run.storeTimings().calls()
                            : services.storeRoundTrips(arm.store()) - before - handler.insertsOnGivenConnections();
                } finally {
                    arm.tearDown(run);
                }
                // the rows that stayed: a handler writing in the store's transaction counts its run before the commit
                long rows = db ? services.rowCount(effects) : -1;
                // every measurement is logged as it ends, so a long run shows its progress and a failure its context
                Measurement m = result(arm, run, calls, jvm);
                log(
                        "%-13s %-12s %-14s %s%s",
                        phase,
                        workload.name(),
                        arm.name(),
                        m.figures(),
                        check(arm, run.handler(), workload, rows, failures));
                return phase.equals(WARM_UP) ? null : m;
            }
        } catch (Exception e) {
            // one arm's failure is noted and the comparison goes on: the other arms' figures still count
            String failure = arm.name() + " on " + workload.name() + " (" + phase + "): " + e;
            failures.add(failure);
            log("FAILED %s", failure);
            e.printStackTrace();
            return null;
        } finally {
            // whatever happened, the run leaves nothing on the shared broker and database
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

    /**
     * The row of one measurement. Throughput is over the arm's own clock, from its first record to its last, so
     * set-up and tear-down are not in it; latency percentiles are of the store time charged to each message.
     */
    private static Measurement result(Arm arm, ArmRun run, long storeCalls, JvmWork jvm) {
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
                workload.uniqueKeys(),
                jvm.jitMs(),
                jvm.gcMs(),
                jvm.cpuNanos() / 1e3 / workload.messages());
    }

    /**
     * The correctness check: an arm with a store must run the handler exactly once per unique key; the baseline
     * once per record. On a PostgreSQL workload ({@code rows} not negative) the effects table must also hold a row
     * per run: an arm whose handler writes in the store's transaction counts a run before its commit, so only the
     * table shows that the runs committed. Adds a failure to {@code failures} and returns a marker when it fails.
     */
    static String check(Arm arm, BenchHandler handler, Workload workload, long rows, List<String> failures) {
        boolean ok = arm.store() == StoreKind.NONE
                ? handler.runs() == workload.messages()
                : handler.runs() == workload.uniqueKeys() && handler.distinctKeys() == workload.uniqueKeys();
        if (!ok) {
            failures.add(arm.name() + " on " + workload.name() + ": handler ran " + handler.runs() + " times for "
                    + handler.distinctKeys() + " distinct keys; expected " + workload.uniqueKeys() + " unique keys"
                    + " in " + workload.messages() + " records");
        }
        if (rows >= 0 && rows != handler.runs()) {
            ok = false;
            failures.add(arm.name() + " on " + workload.name() + ": the effects table holds " + rows + " rows for "
                    + handler.runs() + " handler runs");
        }
        return ok ? "" : "  <-- WRONG";
    }
}
