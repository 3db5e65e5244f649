package io.dedup.kafka.internal;

import io.dedup.DeadLetterReason;

/**
 * The adapter's own counters, on top of core's per-topic {@code dedup.*} meters. The Micrometer implementation is
 * only loaded when a registry is configured, so Micrometer stays optional.
 *
 * <p>Implementations are thread-safe: both runner threads count.
 */
interface KafkaMetrics {
    KafkaMetrics NOOP = new KafkaMetrics() {};

    /** A record was published to its dead-letter topic. */
    default void deadLettered(String topic, DeadLetterReason reason) {}

    /** A record was deferred because its key is in progress elsewhere. */
    default void deferred(String topic) {}

    /** A failed record will be retried. */
    default void retried(String topic) {}

    /** The runner paused every partition because the store was unavailable. */
    default void storeBackOff() {}

    /** Counters in {@code meterRegistry} (a Micrometer {@code MeterRegistry}), or none when it is null. */
    static KafkaMetrics of(Object meterRegistry, String namespace) {
        return meterRegistry == null ? NOOP : new MicrometerKafkaMetrics(meterRegistry, namespace);
    }
}
