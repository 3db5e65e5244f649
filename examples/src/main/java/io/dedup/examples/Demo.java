package io.dedup.examples;

import io.dedup.DedupConsumer;
import io.dedup.DedupResult;
import io.dedup.Disposition;
import io.dedup.KeyExtractor;
import io.dedup.memory.InMemoryDedupStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo: a stream of payment messages, duplicated the way real systems duplicate them (producer retries, a
 * consumer that dies before committing and whose batch is redelivered, a replayed batch), consumed by several
 * workers through {@link DedupConsumer} on the embedded in-memory store. It prints a report whose last line is
 * stable for scripts:
 *
 * <pre>exactly-once: deliveries=&lt;n&gt; unique_keys=&lt;n&gt; executions=&lt;n&gt; duplicates_suppressed=&lt;n&gt; lost=&lt;n&gt;</pre>
 *
 * <p>Usage: {@code Demo [--messages N] [--seed S]}.
 */
public final class Demo {
    /** A payment message: its idempotency key travels in a JSON field, as many producers send it. */
    public record Payment(byte[] json) {}

    /** What one run did. */
    public record Report(int deliveries, int uniqueKeys, int executions, int duplicatesSuppressed, int lost) {
        public String line() {
            return "exactly-once: deliveries=" + deliveries + " unique_keys=" + uniqueKeys + " executions=" + executions
                    + " duplicates_suppressed=" + duplicatesSuppressed + " lost=" + lost;
        }
    }

    private Demo() {}

    public static void main(String[] args) throws Exception {
        int messages = 20_000;
        long seed = 7;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--messages" -> messages = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                default -> {
                    System.err.println("usage: Demo [--messages N] [--seed S]");
                    System.exit(2);
                }
            }
        }
        Report report = run(messages, seed, true);
        System.out.println(report.line());
        System.exit(report.executions() == report.uniqueKeys() && report.lost() == 0 ? 0 : 1);
    }

    /** Runs the demo and returns its report. */
    public static Report run(int messages, long seed, boolean verbose) throws Exception {
        Random random = new Random(seed);
        List<Payment> deliveries = new ArrayList<>();
        for (int i = 0; i < messages; i++) {
            Payment p = payment("pay-" + i, 100 + random.nextInt(10_000));
            deliveries.add(p);
            if (random.nextInt(100) < 10) {
                deliveries.add(p); // the producer timed out waiting for an ack and sent it again
            }
        }
        // A consumer died before committing: the broker redelivers its last uncommitted batch of 500.
        int crashAt = deliveries.size() / 2;
        deliveries.addAll(crashAt, List.copyOf(deliveries.subList(Math.max(0, crashAt - 500), crashAt)));
        // An operator replayed the first 10% of the topic.
        deliveries.addAll(List.copyOf(deliveries.subList(0, deliveries.size() / 10)));
        // Four workers share the stream; neighbouring deliveries interleave.
        List<List<Payment>> shards = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            shards.add(new ArrayList<>());
        }
        for (int i = 0; i < deliveries.size(); i++) {
            shards.get(i % 4).add(deliveries.get(i));
        }
        shards.forEach(s -> Collections.shuffle(s.subList(0, Math.min(s.size(), 50)), random));

        if (verbose) {
            System.out.printf(
                    "dedup demo: %d payments, %d deliveries (producer retries, a crashed consumer's batch, "
                            + "a replay), 4 workers, in-memory store%n",
                    messages, deliveries.size());
        }
        Map<String, AtomicInteger> charged = new ConcurrentHashMap<>();
        AtomicInteger suppressed = new AtomicInteger();
        AtomicLong done = new AtomicLong();
        try (DedupConsumer<Payment> dedup = DedupConsumer.builder(
                        KeyExtractor.<Payment>jsonPointer(Payment::json, "/paymentId"))
                .store(InMemoryDedupStore.create())
                .namespace("payments")
                .build()) {
            ExecutorService workers = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (List<Payment> shard : shards) {
                    futures.add(workers.submit(() -> {
                        for (int b = 0; b < shard.size(); b += 100) {
                            List<Payment> batch = shard.subList(b, Math.min(shard.size(), b + 100));
                            consume(dedup, batch, charged, suppressed);
                            long total = done.addAndGet(batch.size());
                            if (verbose && total % 10_000 < batch.size()) {
                                System.out.printf("  %,d deliveries consumed%n", total);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get(5, TimeUnit.MINUTES);
                }
            } finally {
                workers.shutdownNow();
            }
        }
        int executions = charged.values().stream().mapToInt(AtomicInteger::get).sum();
        int lost = messages - charged.size();
        Report report = new Report(deliveries.size(), messages, executions, suppressed.get(), lost);
        if (verbose) {
            System.out.printf(
                    "deliveries %,d | unique keys %,d | payments charged %,d | duplicates suppressed %,d | lost %d%n",
                    report.deliveries(), report.uniqueKeys(), report.executions(), report.duplicatesSuppressed(), lost);
        }
        return report;
    }

    /** One poll batch: one claim round trip, handlers in order, one completion round trip; deferred ones retried. */
    private static void consume(
            DedupConsumer<Payment> dedup,
            List<Payment> batch,
            Map<String, AtomicInteger> charged,
            AtomicInteger suppressed)
            throws InterruptedException {
        List<Payment> pending = batch;
        while (!pending.isEmpty()) {
            List<DedupResult<Void>> results = dedup.processAll(pending, p -> {
                charged.computeIfAbsent(dedup.keyOf(p).id(), k -> new AtomicInteger())
                        .incrementAndGet();
                return null;
            });
            List<Payment> retry = new ArrayList<>();
            for (int i = 0; i < results.size(); i++) {
                DedupResult<Void> r = results.get(i);
                if (r instanceof DedupResult.Duplicate) {
                    suppressed.incrementAndGet();
                } else if (r.disposition() != Disposition.ACK) {
                    retry.add(pending.get(i)); // held by another worker right now: the broker redelivers it later
                }
            }
            pending = retry;
            if (!pending.isEmpty()) {
                Thread.sleep(2);
            }
        }
    }

    static Payment payment(String id, int cents) {
        String json = "{\"paymentId\":\"" + id + "\",\"amountCents\":" + cents + ",\"currency\":\"EUR\"}";
        return new Payment(json.getBytes(StandardCharsets.UTF_8));
    }
}
