package io.dedup.bench;

import io.dedup.ClaimedBatch;
import io.dedup.DedupConsumer;
import io.dedup.DedupSettings;
import io.dedup.KeyExtractor;
import io.dedup.MessageHandler;
import io.dedup.OutcomeCodecs;
import io.dedup.ResultHandler;
import io.dedup.memory.InMemoryDedupStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The cost per message of the in-memory wrapped call: a new key (claim, run, complete) against a duplicate (one
 * claim answered from the stored record), with a no-op handler as the baseline in the same run; and of the batch path
 * the adapters take ({@link #newKeysInBatches}).
 *
 * <p>Not thread-safe: JMH state, one instance per trial and thread (see {@link InProcessBenchmark}).
 */
public class InMemoryWrappedCallBenchmark extends InProcessBenchmark {
    /** A message whose key is a field: the cheapest extraction, so the benchmark measures dedup itself. */
    public record Message(String id) {}

    /**
     * Completed keys the duplicate case cycles through: a power of two (for the mask), small enough to stay in cache.
     */
    private static final int DUPLICATE_KEYS = 1024;

    /** Lease renewal registers every running handler; measured with and without to show its share. */
    @Param({"true", "false"})
    public boolean leaseRenewal;

    /** The consumer of the new-key and duplicate cases: every key kept for the iteration. */
    private DedupConsumer<Message> dedup;
    /** The consumer of the steady-state case, on a clock the benchmark moves, so retention bounds the live keys. */
    private DedupConsumer<Message> steady;
    /** The handler wrapped by {@link #steady}. */
    private MessageHandler<Message> steadyWrapped;
    /** The steady-state store's clock, moved 1 ms per message. */
    private final TickingClock clock = new TickingClock();
    /** The handler alone: consumes the message into the blackhole so the JIT cannot drop the call. */
    private MessageHandler<Message> bare;
    /** The handler wrapped by {@link #dedup}. */
    private MessageHandler<Message> wrapped;
    /** Messages whose keys were completed in set-up: the duplicate case cycles through them. */
    private Message[] seen;
    /** The next new key's number. */
    private long next;
    /**
     * The duplicate case's position in {@link #seen}, wrapped with a mask ({@code DUPLICATE_KEYS} is a power of two).
     */
    private int dup;

    /** JMH's sink for the handler's work. */
    private Blackhole blackhole;

    /** Fresh consumers per iteration, so one iteration's keys do not slow the next; not timed. */
    @Setup(Level.Iteration)
    public void setUp(Blackhole blackhole) throws Exception {
        this.blackhole = blackhole;
        double renewFraction = leaseRenewal ? DedupSettings.DEFAULT_RENEW_FRACTION : 0;
        dedup = DedupConsumer.<Message>builder(m -> Optional.of(m.id()))
                .store(InMemoryDedupStore.create())
                .settings(DedupSettings.custom()
                        .retention(Duration.ofHours(1))
                        .leaseRenewalFraction(renewFraction)
                        .build())
                .build();
        // Steady state: a clock moving 1 ms per message and 100 s retention keep about 100k live keys, as
        // retention bounds a real in-memory store; the plain newKey case keeps every key and so measures the
        // garbage collector copying an ever-growing heap as much as dedup.
        // the ticking clock: the store expires records as the benchmark thread moves time, 1 ms per message
        steady = DedupConsumer.<Message>builder(m -> Optional.of(m.id()))
                .store(InMemoryDedupStore.builder().clock(clock).build())
                .settings(DedupSettings.custom()
                        .retention(Duration.ofSeconds(100))
                        .lease(Duration.ofSeconds(30))
                        .leaseRenewalFraction(renewFraction)
                        .build())
                .build();
        bare = message -> this.blackhole.consume(message);
        steadyWrapped = steady.decorate(bare);
        wrapped = dedup.decorate(bare);
        // completed before measuring, so every duplicate call finds a stored record
        seen = new Message[DUPLICATE_KEYS];
        for (int i = 0; i < DUPLICATE_KEYS; i++) {
            seen[i] = new Message("seen-" + i);
            wrapped.handle(seen[i]);
        }
    }

    /** Closes both consumers (their renewal threads). */
    @TearDown(Level.Iteration)
    public void tearDown() {
        dedup.close();
        steady.close();
    }

    /** The handler alone, with the same message allocation as the dedup cases: the floor they are measured against. */
    @Benchmark
    public void baselineNoDedup() throws Exception {
        bare.handle(new Message("k" + next++));
    }

    /** A new key: claim, handler, completion, every key kept for the whole iteration. */
    @Benchmark
    public void newKey() throws Exception {
        wrapped.handle(new Message("k" + next++));
    }

    /** A new key on a store whose retention keeps the number of live keys constant, as in production. */
    @Benchmark
    public void newKeySteadyState() throws Exception {
        clock.millis++;
        steadyWrapped.handle(new Message("k" + next++));
    }

    /** Messages per batch in {@link #newKeysInBatches}: about what one Kafka poll hands the runner. */
    private static final int BATCH = 500;

    /**
     * The path the Kafka runner and the RabbitMQ wrapper take: {@value #BATCH} new keys claimed in one call, each
     * handler run under its claim (completions queued to the writer as they finish), the rest written when the batch
     * completes. Steady state, as {@link #newKeySteadyState}; reported per message.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void newKeysInBatches() {
        List<Message> messages = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            messages.add(new Message("k" + next++));
        }
        clock.millis += BATCH;
        try (ClaimedBatch<Message> batch = steady.claimAll(messages)) {
            ResultHandler<Message, Void> handler = ResultHandler.of(bare);
            for (ClaimedBatch.Entry<Message> entry : batch.entries()) {
                if (entry.mayRun()) {
                    batch.run(entry, handler, OutcomeCodecs.none(), false);
                }
            }
            batch.complete();
        }
    }

    /** A completed key: one claim answered from the stored record, no handler. */
    @Benchmark
    public void duplicate() throws Exception {
        wrapped.handle(seen[dup++ & (DUPLICATE_KEYS - 1)]);
    }

    /** A clock the benchmark thread moves; single-threaded use only. */
    static final class TickingClock extends java.time.Clock {
        /**
         * Epoch milliseconds; a plain field, since only the benchmark thread moves it. The completion writer of the
         * batch case reads it too: a stale reading only judges a completion by an earlier time, well within the
         * 30 s lease.
         */
        long millis = 1_700_000_000_000L;

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public java.time.Instant instant() {
            return java.time.Instant.ofEpochMilli(millis);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    /** Keeps the compiler honest about KeyExtractor's default methods being cheap. */
    @Benchmark
    public Optional<String> keyExtractionWithFallback() {
        KeyExtractor<Message> extractor = m -> Optional.of(m.id());
        return extractor.orElse(KeyExtractor.constant("x")).extract(seen[dup++ & (DUPLICATE_KEYS - 1)]);
    }
}
