package io.dedup.examples.readme;

import io.dedup.ClaimedBatch;
import io.dedup.DedupConsumer;
import io.dedup.DedupResult;
import io.dedup.DedupSettings;
import io.dedup.KeyExtractor;
import io.dedup.MessageHandler;
import io.dedup.OutcomeCodecs;
import io.dedup.Steps;
import io.dedup.testkit.DuplicateInjector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/** The README's core code blocks, compiled: ReadmeSnippetsTest checks that the README shows this code. */
final class CoreQuickStart {
    /** The application's message type the snippets name; a JSON body with an {@code orderId}. */
    record Order(byte[] body) {}

    /** What the application's charge step returns, stored as the step's result. */
    record Receipt(String id) {}

    private CoreQuickStart() {}

    /** The README's first snippet: wrap a handler, call it; a second call with the same key does not run it. */
    static void quickStart(Order order) throws Exception {
        // README: quick start (core)
        DedupConsumer<Order> dedup = DedupConsumer.builder(KeyExtractor.<Order>jsonPointer(Order::body, "/orderId"))
                .namespace("orders") // keys are unique within a namespace
                .settings(DedupSettings.custom()
                        .retention(Duration.ofHours(24)) // how long completed keys are remembered
                        .build())
                .build(); // store: chosen by dependency, in-memory by default

        MessageHandler<Order> safe = dedup.decorate(o -> ship(o));
        safe.handle(order); // returns normally when processed or a duplicate; throws when the caller must not ack
        // end
        dedup.close();
    }

    /** The README's snippet on results: what each kind of answer tells the caller to do with the message. */
    static void results(DedupConsumer<Order> dedup, Order order) {
        // README: results
        DedupResult<Receipt> result = dedup.process(order, o -> charge(o), OutcomeCodecs.json(Receipt.class), true);
        switch (result.disposition()) {
            case ACK -> ack(); // processed, or a duplicate (result carries the stored outcome)
            case DEFER -> redeliverLater(); // the key is held by another worker right now
            case RETRY_OR_DEAD_LETTER -> retry(); // the handler failed; the key was released
            case DEAD_LETTER -> deadLetter(result); // no key, unreadable key, or the key was reused for other content
            case BACK_OFF -> pauseAndRetry(); // the store is unavailable: nothing was decided
        }
        // end
    }

    /**
     * The README's batch snippet: one claim round trip, handlers on the caller's threads, one completion round trip.
     */
    static void batch(DedupConsumer<Order> dedup, List<Order> orders, ExecutorService pool) throws Exception {
        // README: batch
        try (ClaimedBatch<Order> batch = dedup.claimAll(orders)) { // one claim round trip for the whole list
            List<Future<?>> running = new ArrayList<>();
            for (ClaimedBatch.Entry<Order> entry : batch.entries()) {
                if (entry.mayRun()) { // acquired: run it, here on your own threads
                    running.add(pool.submit(() -> batch.run(entry, o -> charge(o), OutcomeCodecs.json(Receipt.class))));
                }
            }
            for (Future<?> f : running) {
                f.get();
            }
            batch.complete(); // one completion round trip; close() would do it too
            List<DedupResult<?>> results = batch.results(); // one per order: ack, defer, retry, dead-letter...
        } // close(): records what finished, releases what never ran, even when a handler threw an Error
        // end
    }

    /** The README's steps snippet: named steps inside a handler, each at most once per key. */
    static DedupResult<String> steps(DedupConsumer<Order> dedup, Order order) {
        // README: steps
        DedupResult<String> shipped = dedup.process(
                order,
                o -> {
                    Receipt receipt = Steps.run("charge", OutcomeCodecs.json(Receipt.class), () -> charge(o));
                    Steps.run("ship", () -> ship(o, receipt)); // after a crash, a re-run starts at the step in flight
                    return receipt.id();
                },
                OutcomeCodecs.utf8(),
                true);
        // end
        return shipped;
    }

    /** The README's testing snippet: the duplicate injector over the application's own dedup. */
    static void testing(DedupConsumer<Order> dedup, List<Order> orders, MessageHandler<Order> handler)
            throws InterruptedException {
        // README: testing
        DuplicateInjector.Report report =
                DuplicateInjector.of(dedup).copies(1, 5).threads(8).run(orders, handler);
        report.assertEachKeyRanOnce();
        // end
    }

    /** Application stand-ins the snippets call; empty, since only the snippets' compiling matters here. */
    static void ship(Order order) {}

    static void ship(Order order, Receipt receipt) {}

    /** The application's charge, returning a receipt the steps snippet stores. */
    static Receipt charge(Order order) {
        return new Receipt("r");
    }

    /** Stand-ins for what the results snippet tells the application to do with a message. */
    static void ack() {}

    static void redeliverLater() {}

    static void retry() {}

    static void deadLetter(DedupResult<?> result) {}

    static void pauseAndRetry() {}
}
