package io.dedup.rabbitmq;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** Reads the meters a test's wrapper published. */
final class Meters {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final String queue;

    Meters(String queue) {
        this.queue = queue;
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
