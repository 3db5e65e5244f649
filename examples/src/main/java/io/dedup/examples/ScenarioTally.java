package io.dedup.examples;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Reads what dedup itself says it did from its Micrometer meters ({@code dedup.messages{result}}), so the report's
 * duplicate count is dedup's own verdict rather than arithmetic on other numbers. Thread-safe.
 */
final class DuplicateCounter {
    /** The registry the scenario's dedup builders are given; the count is read from the library's own meter. */
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    /** The registry to hand to dedup's builders. */
    MeterRegistry registry() {
        return registry;
    }

    /** Deliveries dedup answered as duplicates of a completed key. */
    long duplicates() {
        // summed over every counter with that tag, whatever its other tags: each worker adds to the same verdict
        return (long) registry.find("dedup.messages").tag("result", "duplicate").counters().stream()
                .mapToDouble(Counter::count)
                .sum();
    }
}
