package io.dedup.testkit;

import io.dedup.DedupConsumer;
import io.dedup.DedupKey;
import io.dedup.DedupResult;
import io.dedup.Disposition;
import io.dedup.MessageHandler;
import io.dedup.ResultHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * For applications' own tests: delivers each message several times, shuffled and from several threads at once,
 * the way a broker redelivers, through a {@link DedupConsumer}, and reports how often the handler really ran per
 * key. A delivery answered "try later" (in progress elsewhere, store unavailable) is redelivered, as a broker
 * would, until it settles.
 *
 * <pre>{@code
 * DuplicateInjector.Report report = DuplicateInjector.of(dedup).copies(1, 5).threads(8).run(orders, handler);
 * report.assertEachKeyRanOnce();
 * }</pre>
 *
 * <p>Not thread-safe to configure; {@link #run} uses its own threads.
 */
public final class DuplicateInjector<M> {
    /** The application's own dedup set-up, store included: the injector tests that, not a stand-in. */
    private final DedupConsumer<M> dedup;

    /** Fewest and most deliveries of each message; each message's count is drawn between them. */
    private int minCopies = 1;

    private int maxCopies = 3;
    /** Threads delivering at once: enough that copies of a key meet in flight. */
    private int threads = 4;
    /** The shuffle's seed: a fixed default so that a failing run delivers in the same order when run again. */
    private long seed = 42;
    /** How long {@link #run} keeps redelivering unsettled messages before it reports them as unsettled. */
    private Duration settleTimeout = Duration.ofSeconds(60);

    private DuplicateInjector(DedupConsumer<M> dedup) {
        this.dedup = dedup;
    }

    /**
     * An injector over {@code dedup} with the defaults: 1 to 3 copies per message, 4 threads, seed 42, 60 s to settle.
     *
     * @throws NullPointerException if {@code dedup} is null
     */
    public static <M> DuplicateInjector<M> of(DedupConsumer<M> dedup) {
        return new DuplicateInjector<>(Objects.requireNonNull(dedup, "dedup"));
    }

    /**
     * Each message is delivered between {@code min} and {@code max} times (default 1 to 3).
     *
     * @return this injector
     * @throws IllegalArgumentException unless {@code 1 <= min <= max}
     */
    public DuplicateInjector<M> copies(int min, int max) {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException("copies need 1 <= min <= max, got " + min + ".." + max);
        }
        this.minCopies = min;
        this.maxCopies = max;
        return this;
    }

    /**
     * How many threads deliver at once (default 4).
     *
     * @return this injector
     * @throws IllegalArgumentException if {@code threads} is below 1
     */
    public DuplicateInjector<M> threads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive, got " + threads);
        }
        this.threads = threads;
        return this;
    }

    /** The seed of the copy counts and the shuffle (default 42), so a failing run can be replayed. */
    public DuplicateInjector<M> seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** How long a deferred delivery is retried before the run fails (default 60 s). */
    public DuplicateInjector<M> settleTimeout(Duration timeout) {
        this.settleTimeout = Objects.requireNonNull(timeout, "timeout");
        return this;
    }

    /**
     * Delivers the messages with duplicates and waits until every delivery settled.
     *
     * @throws AssertionError if a delivery did not settle within the timeout
     */
    public Report run(List<? extends M> messages, MessageHandler<? super M> handler) throws InterruptedException {
        Objects.requireNonNull(messages, "messages");
        Objects.requireNonNull(handler, "handler");
        Random random = new Random(seed);
        List<M> deliveries = new ArrayList<>();
        for (M message : messages) {
            int copies = minCopies + random.nextInt(maxCopies - minCopies + 1);
            for (int i = 0; i < copies; i++) {
                deliveries.add(message);
            }
        }
        // shuffled, so copies of one message arrive apart and together, on different threads, as a broker's do
        Collections.shuffle(deliveries, random);

        Map<DedupKey, AtomicInteger> executions = new ConcurrentHashMap<>();
        // counts inside the handler, by the key dedup itself computes: what ran, not what was delivered
        ResultHandler<M, Void> counting = message -> {
            executions
                    .computeIfAbsent(dedup.keyOf(message), k -> new AtomicInteger())
                    .incrementAndGet();
            handler.handle(message);
            return null;
        };
        AtomicInteger duplicates = new AtomicInteger();
        AtomicInteger redeliveries = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        long deadline = System.nanoTime() + settleTimeout.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (M delivery : deliveries) {
                futures.add(pool.submit(() -> {
                    while (true) {
                        DedupResult<Void> result = dedup.process(delivery, counting);
                        Disposition d = result.disposition();
                        if (result instanceof DedupResult.Duplicate) {
                            duplicates.incrementAndGet();
                        }
                        // settled: acked (processed or duplicate), dead-lettered, or failed for the retry policy
                        if (d == Disposition.ACK) {
                            return null;
                        }
                        if (d == Disposition.DEAD_LETTER) {
                            rejected.incrementAndGet();
                            return null;
                        }
                        if (d == Disposition.RETRY_OR_DEAD_LETTER) {
                            failed.incrementAndGet();
                            return null;
                        }
                        if (System.nanoTime() > deadline) {
                            throw new AssertionError(
                                    "a delivery did not settle within " + settleTimeout + ": " + result);
                        }
                        // DEFER or BACK_OFF: a broker would deliver it again later, so do that
                        redeliveries.incrementAndGet();
                        Thread.sleep(5); // a broker's redelivery delay, not a wait for a condition
                    }
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get(settleTimeout.toMillis() + 5000, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    // a delivery's own assertion is the report; anything else the handler threw is wrapped in one
                    throw e.getCause() instanceof AssertionError a ? a : new AssertionError(e.getCause());
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("deliveries did not settle within " + settleTimeout, e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        Map<DedupKey, Integer> counts = new java.util.HashMap<>();
        executions.forEach((k, v) -> counts.put(k, v.get()));
        return new Report(
                deliveries.size(),
                messages.size(),
                Map.copyOf(counts),
                duplicates.get(),
                redeliveries.get(),
                failed.get(),
                rejected.get());
    }

    /**
     * What a run did.
     *
     * @param deliveries how many deliveries were made (messages times their copies)
     * @param messages how many distinct messages were given
     * @param executionsPerKey how many times the handler ran, per key
     * @param duplicatesSuppressed deliveries answered as duplicates without running the handler
     * @param redeliveries deliveries deferred and tried again (in progress elsewhere, store unavailable)
     * @param failed deliveries whose handler failed
     * @param rejected deliveries sent to the dead-letter path (no key, conflict)
     */
    public record Report(
            int deliveries,
            int messages,
            Map<DedupKey, Integer> executionsPerKey,
            int duplicatesSuppressed,
            int redeliveries,
            int failed,
            int rejected) {
        /** Total handler executions. */
        public int executions() {
            return executionsPerKey.values().stream()
                    .mapToInt(Integer::intValue)
                    .sum();
        }

        /**
         * Asserts the promise an application tests for: no key's handler ran twice, however many copies arrived and
         * however they interleaved, and no message was lost without failing or being rejected.
         *
         * @throws AssertionError naming the keys that ran more than once, or if any message never ran
         */
        public void assertEachKeyRanOnce() {
            // the first ten offenders are enough to debug; the count says how many there were
            List<String> twice = executionsPerKey.entrySet().stream()
                    .filter(e -> e.getValue() != 1)
                    .map(e -> e.getKey() + " ran " + e.getValue() + " times")
                    .sorted()
                    .toList();
            if (!twice.isEmpty()) {
                throw new AssertionError("handler ran more than once for " + twice.size() + " keys: "
                        + twice.subList(0, Math.min(10, twice.size())));
            }
            // a message that never ran is lost, unless it failed or was rejected on purpose
            if (executionsPerKey.size() + rejected < messages && failed == 0) {
                throw new AssertionError("only " + executionsPerKey.size() + " of " + messages
                        + " messages ran; none failed or was rejected");
            }
        }
    }
}
