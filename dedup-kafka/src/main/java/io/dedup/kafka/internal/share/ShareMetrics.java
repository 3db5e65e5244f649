package io.dedup.kafka.internal.share;

import io.dedup.DeadLetterReason;
import org.apache.kafka.clients.consumer.AcknowledgeType;

/**
 * The share runner's own counters, on top of core's {@code dedup.*} meters. The Micrometer implementation is only
 * loaded when a registry is configured, so Micrometer stays optional. A small equivalent of the classic runner's
 * package-private {@code KafkaMetrics}.
 */
interface ShareMetrics {
    ShareMetrics NOOP = new ShareMetrics() {};

    /** A record was acknowledged with {@code type} (ACCEPT, RELEASE, REJECT; RENEW for each renewal). */
    default void acknowledged(String topic, AcknowledgeType type) {}

    /** A record was published to its dead-letter topic. */
    default void deadLettered(String topic, DeadLetterReason reason) {}

    /** Committing the acknowledgements of one partition failed (the records come back and are answered again). */
    default void commitFailed(String topic) {}

    /** A record's acquisition lock was lost while this runner held it (renewal refused or expired). */
    default void lockLost(String topic) {}

    /** A record was kept and will be claimed again because its key is held by another consumer. */
    default void deferred(String topic) {}

    /** The runner backed off because the store was unavailable. */
    default void storeBackOff() {}

    /** Counters in {@code meterRegistry} (a Micrometer {@code MeterRegistry}), or none when it is null. */
    static ShareMetrics of(Object meterRegistry, String namespace) {
        return meterRegistry == null ? NOOP : new MicrometerShareMetrics(meterRegistry, namespace);
    }
}
