package io.dedup.examples;

import io.dedup.DedupConsumer;
import io.dedup.DedupResult;
import io.dedup.Disposition;
import io.dedup.KeyExtractor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The demo without a broker ({@code --broker none}): the deliveries a broker would make, with the same kinds of
 * duplicates, handed in batches to four workers that call {@link DedupConsumer#processAll} themselves, as an
 * adapter does. Shows the core API alone. Not thread-safe; one run at a time.
 */
final class InProcessScenario {
    /** As many workers as the Kafka scenario's group has at most, so contention on keys is comparable. */
    private static final int WORKERS = 4;
    /** Deliveries per {@code processAll}: one claim and one completion round trip each, as an adapter's poll. */
    private static final int BATCH = 100;

    private InProcessScenario() {}

    /**
     * Builds the deliveries (the payments with their duplicates), shares them among the workers and lets each work
     * through its share batch by batch.
     *
     * @throws Exception if a worker fails or does not finish within five minutes
     */
    static DemoReport run(DemoOptions options, DemoStore store, String runId, Progress progress) throws Exception {
        PaymentStream stream = PaymentStream.generate(options.messages(), options.seed());
        Random random = new Random(options.seed());
        // the deliveries a broker would make: the producer's sends, then the two kinds of redelivery added below
        List<Payment> deliveries = new ArrayList<>(stream.sends());
        // A consumer died before committing: its last uncommitted batch of 500 is delivered again.
        int crashAt = deliveries.size() * 3 / 10;
        deliveries.addAll(crashAt, List.copyOf(deliveries.subList(Math.max(0, crashAt - 500), crashAt)));
        // An operator replays the last tenth.
        deliveries.addAll(List.copyOf(deliveries.subList(deliveries.size() * 9 / 10, deliveries.size())));
        // The workers share the stream; neighbouring deliveries interleave.
        List<List<Payment>> shards = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            shards.add(new ArrayList<>());
        }
        for (int i = 0; i < deliveries.size(); i++) {
            shards.get(i % WORKERS).add(deliveries.get(i));
        }
        // a little disorder at the start, where the crashed batch repeats, so that copies of a key meet in flight
        shards.forEach(s -> Collections.shuffle(s.subList(0, Math.min(s.size(), 50)), random));
        progress.say(
                "%,d payments, %,d deliveries (producer retries, a crashed consumer's batch, a replay), %d workers"
                        + " calling DedupConsumer.processAll, no broker",
                stream.payments().size(), deliveries.size(), WORKERS);

        ScenarioTally tally = new ScenarioTally();
        tally.track(progress);
        // one consumer shared by the workers, as one adapter instance serves a process's consumer threads
        try (DedupConsumer<Payment> dedup = DedupConsumer.builder(
                        KeyExtractor.<Payment>jsonPointer(Payment::jsonBytes, "/paymentId"))
                .store(store.store())
                .namespace("dedup-demo-" + runId)
                .settings(Demo.SETTINGS)
                .meterRegistry(tally.registry())
                .build()) {
            ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (List<Payment> shard : shards) {
                    futures.add(workers.submit(() -> {
                        for (int b = 0; b < shard.size(); b += BATCH) {
                            List<Payment> batch = shard.subList(b, Math.min(shard.size(), b + BATCH));
                            consume(dedup, batch, tally);
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
        return Demo.finish(progress, stream, tally);
    }

    /** One batch: one claim round trip, handlers in order, one completion round trip; held keys come again later. */
    private static void consume(DedupConsumer<Payment> dedup, List<Payment> batch, ScenarioTally tally)
            throws InterruptedException {
        List<Payment> pending = batch;
        while (!pending.isEmpty()) {
            // every attempt counts as deliveries, retried ones too, as a broker's redeliveries would
            tally.deliveries().add(pending.size());
            List<DedupResult<Void>> results = dedup.processAll(pending, payment -> {
                tally.ledger().charge(payment);
                return null;
            });
            List<Payment> again = new ArrayList<>();
            for (int i = 0; i < results.size(); i++) {
                if (results.get(i).disposition() == Disposition.DEFER) {
                    again.add(pending.get(i)); // held by another worker right now: a broker would redeliver it later
                }
            }
            pending = again;
            // a short pause before asking again: the holder is another worker in this process, about to complete
            if (!pending.isEmpty()) {
                Thread.sleep(2);
            }
        }
    }
}
