package io.dedup.bench.e2e;

import io.dedup.kafka.KafkaDedup;
import io.dedup.kafka.KafkaDedupRunner;
import io.dedup.kafka.KafkaDedupRunnerBuilder;
import io.dedup.spi.DedupStore;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * This library's Kafka runner ({@link KafkaDedupRunner}, leased mode) in front of the handler, as a user would
 * set it up: key from the {@value TopicLoader#KEY_HEADER} header (the runner's default), the run's consumer
 * settings, the defaults for lease, retention and retries. Each poll makes one claim and one completion round
 * trip to the store; the {@code dedup-redis-single} arm turns batching off ({@link UnbatchedStore}) to show what
 * that buys. The store is seen through a {@link TimedDedupStore}, the outermost wrapper, which times its calls
 * and reports progress.
 *
 * <p>{@code dedup-jdbc-tx} runs the same runner on the same JDBC store in the Kafka-to-database mode ({@link
 * KafkaDedupRunnerBuilder#transactionalStore}): per poll one database transaction holds the claims, the handler's
 * rows (inserted through the transaction's connection, {@link BenchHandler#handleIn}), the completions and the
 * offsets. On the PostgreSQL workloads that is one commit for the store and the handler together where {@code
 * dedup-jdbc} has the store's commits compete with a commit per handler run on the same database. Its timing
 * wrapper passes the store's transactions through ({@link TimedDedupStore#withTransactions}), timed, since the
 * runner reaches them as a capability of the store it is given.
 *
 * <p>What it measures: the whole cost of this library in front of a Kafka consumer (claim and completion round
 * trips, lease bookkeeping, offset commits after completion) on the same records and handler as {@link BaselineArm}.
 * Why the comparison with Camel is fair: both run their defaults as documented, both run the handler exactly once per
 * key (checked), and both are timed by the same kind of wrapper around their store. The difference that remains is
 * the design: Camel makes a round trip per message, the runner one per poll. Not thread-safe; one run at a time.
 */
public final class DedupArm extends DedupStoreArm {
    /** How often {@link #consume} looks whether the runner thread died while it waits for the records. */
    private static final Duration LIVENESS_CHECK = Duration.ofSeconds(1);

    /** How the runner uses its store. */
    private enum Mode {
        /** The leased mode on the store as it is, batched per poll. */
        LEASED,
        /** The leased mode on a store that answers batches one key at a time ({@link UnbatchedStore}). */
        UNBATCHED,
        /** The Kafka-to-database mode: one store transaction per poll, the handler writing in it. */
        TRANSACTIONAL
    }

    private final Mode mode;

    /** An arm named {@code name} on the store {@code setup} makes, run in {@code mode}. */
    private DedupArm(String name, DedupStoreSetup setup, Mode mode) {
        super(name, setup, KAFKA);
        this.mode = mode;
    }

    /** {@code dedup-memory}: the in-memory store. */
    public static DedupArm memory() {
        return new DedupArm("dedup-memory", DedupStoreSetup.memory(), Mode.LEASED);
    }

    /** {@code dedup-redis}: the Redis store, batched per poll. */
    public static DedupArm redis() {
        return new DedupArm("dedup-redis", DedupStoreSetup.redis(), Mode.LEASED);
    }

    /** {@code dedup-redis-single}: the Redis store with batching turned off, a round trip per claim and completion. */
    public static DedupArm redisSingle() {
        return new DedupArm("dedup-redis-single", DedupStoreSetup.redis(), Mode.UNBATCHED);
    }

    /** {@code dedup-jdbc}: the JDBC store on PostgreSQL, batched per poll. */
    public static DedupArm jdbc() {
        return new DedupArm("dedup-jdbc", DedupStoreSetup.jdbc(), Mode.LEASED);
    }

    /**
     * {@code dedup-jdbc-tx}: the JDBC store on PostgreSQL in the Kafka-to-database mode, the handler's row in the
     * poll's store transaction.
     */
    public static DedupArm jdbcTransactional() {
        return new DedupArm("dedup-jdbc-tx", DedupStoreSetup.jdbc(), Mode.TRANSACTIONAL);
    }

    /** Only the unbatched arm makes a round trip per message, so only it gets the slow arms' smaller topic. */
    @Override
    public boolean slow() {
        return mode == Mode.UNBATCHED;
    }

    /** The unbatched arm's store answers batches one key at a time; it is timed like the others, above that. */
    @Override
    DedupStore beneathTiming(DedupStore raw) {
        return mode == Mode.UNBATCHED ? new UnbatchedStore(raw) : raw;
    }

    /** Only the transactional arm's runner may see the store's transactions. */
    @Override
    boolean timesTransactions() {
        return mode == Mode.TRANSACTIONAL;
    }

    /**
     * Builds the runner as a user would and runs it until every record is done; closes it afterwards (it commits what
     * it completed and leaves the group).
     */
    @Override
    public void consume(ArmRun run) throws Exception {
        TimedDedupStore timed = timedStore();
        BenchHandler handler = run.handler();
        InBatchRepeats repeats = new InBatchRepeats(timed, run.progress());
        KafkaDedupRunnerBuilder<String, String> builder = KafkaDedupRunner.builder(
                        run.consumerConfig(), new StringDeserializer(), new StringDeserializer())
                .topics(run.topic())
                .pollTimeout(KafkaPollLoop.POLL)
                .dedup(KafkaDedup.builder().store(timed).namespace(run.runId()).meterRegistry(repeats.registry()));
        if (mode == Mode.TRANSACTIONAL) {
            // the poll's transaction: the handler writes through it and never commits or closes it
            builder.transactionalStore((record, tx) ->
                    handler.handleIn(tx.resource(Connection.class), KafkaRecords.key(record), record.value()));
        } else {
            builder.handler(record -> handler.handle(KafkaRecords.key(record), record.value()));
        }
        KafkaDedupRunner<String, String> runner = builder.build();
        try (repeats) {
            // the runner polls on its own thread, as in an application; this thread only waits for the records
            Thread loop = runner.start();
            awaitAll(run, loop);
        } finally {
            runner.close();
        }
    }

    /** Waits for every record, failing early if the runner's thread stopped (it logs why). */
    private static void awaitAll(ArmRun run, Thread loop) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + run.timeout().toNanos();
        while (true) {
            try {
                // short waits, so a runner that died (it logs why) fails the run now, not at the timeout
                run.progress().awaitAll(LIVENESS_CHECK);
                return;
            } catch (TimeoutException notYet) {
                if (!loop.isAlive()) {
                    throw new IllegalStateException(
                            "the runner stopped after " + run.progress().deliveredCount() + " of "
                                    + run.progress().expected() + " records");
                }
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
            }
        }
    }
}
