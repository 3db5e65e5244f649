package io.dedup.rabbitmq;

import io.dedup.memory.InMemoryDedupStore;
import io.dedup.spi.DedupStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The meters of one test queue's wrapper: builds the wrapper so that it publishes to them, and reads them back.
 * Not thread-safe to build with; reading is.
 */
final class Meters {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final String queue;

    Meters(String queue) {
        this.queue = queue;
    }

    /** A builder for the queue on a fresh in-memory store, publishing its meters here. */
    RabbitDedupBuilder dedup() {
        return dedup(InMemoryDedupStore.create());
    }

    /** A builder for the queue on {@code store}, publishing its meters here. */
    RabbitDedupBuilder dedup(DedupStore store) {
        return RabbitDedup.builder(queue).store(store).meterRegistry(registry);
    }

    /** Deliveries settled with {@code action} (ack, defer, retry, dead_letter, back_off, requeue, stale). */
    long deliveries(String action) {
        Counter counter = registry.find("dedup.rabbitmq.deliveries")
                .tags("queue", queue, "action", action)
                .counter();
        return counter == null ? 0 : (long) counter.count();
    }

    /** Core's count of messages by result (processed, duplicate, in_progress, ...). */
    long results(String result) {
        return (long) registry.find("dedup.messages").tags("queue", queue, "result", result).counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }

    long replies(boolean replayed) {
        Counter counter = registry.find("dedup.rabbitmq.replies")
                .tags("queue", queue, "replayed", Boolean.toString(replayed))
                .counter();
        return counter == null ? 0 : (long) counter.count();
    }
}
