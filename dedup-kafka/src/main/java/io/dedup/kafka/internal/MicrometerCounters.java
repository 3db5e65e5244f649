package io.dedup.kafka.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The one way both runners count events in Micrometer: a counter looked up by name and tags on each event. Micrometer
 * caches meters by name and tags, so the lookup is cheap, and it happens only off the happy path (dead letters,
 * retries, deferrals, back-offs, acknowledgements).
 *
 * <p>Only loaded when a registry is configured, so Micrometer stays an optional dependency. Thread-safe, as meter
 * registries are.
 */
public final class MicrometerCounters {
    private final MeterRegistry registry;
    private final String namespace;

    /** Counters in {@code registry} (a {@code MeterRegistry}), every one tagged with {@code namespace}. */
    public MicrometerCounters(Object registry, String namespace) {
        this.registry = (MeterRegistry) registry;
        this.namespace = namespace;
    }

    /** Adds one to the counter {@code name} tagged {@code namespace} and {@code tags} (name, value, ...). */
    public void increment(String name, String description, String... tags) {
        counter(name, description, tags).increment();
    }

    /** The counter {@code name} tagged {@code namespace} and {@code tags}, registered now if new. */
    public Counter counter(String name, String description, String... tags) {
        return Counter.builder(name)
                .description(description)
                .tag("namespace", namespace)
                .tags(tags)
                .register(registry);
    }
}
