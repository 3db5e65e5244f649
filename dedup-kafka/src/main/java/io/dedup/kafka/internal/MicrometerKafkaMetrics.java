package io.dedup.kafka.internal;

import io.dedup.DeadLetterReason;
import io.micrometer.core.instrument.Counter;

/**
 * {@code dedup.kafka.dead.letters{namespace,topic,reason}}, {@code dedup.kafka.deferrals{namespace,topic}}, {@code
 * dedup.kafka.retries{namespace,topic}} and {@code dedup.kafka.store.backoffs{namespace}}. Thread-safe.
 */
final class MicrometerKafkaMetrics implements KafkaMetrics {
    private final MicrometerCounters counters;
    private final Counter storeBackOffs;

    MicrometerKafkaMetrics(Object registry, String namespace) {
        this.counters = new MicrometerCounters(registry, namespace);
        // registered up front, so that dashboards show a zero rather than no series before the first outage
        this.storeBackOffs = counters.counter(
                "dedup.kafka.store.backoffs",
                "Times the runner paused all partitions because the store was unavailable");
    }

    @Override
    public void deadLettered(String topic, DeadLetterReason reason) {
        counters.increment(
                "dedup.kafka.dead.letters",
                "Records published to a dead-letter topic",
                "topic",
                topic,
                "reason",
                reason.name());
    }

    @Override
    public void deferred(String topic) {
        counters.increment(
                "dedup.kafka.deferrals",
                "Records deferred because their key was in progress elsewhere",
                "topic",
                topic);
    }

    @Override
    public void retried(String topic) {
        counters.increment("dedup.kafka.retries", "Failed records scheduled for another attempt", "topic", topic);
    }

    @Override
    public void storeBackOff() {
        storeBackOffs.increment();
    }
}
