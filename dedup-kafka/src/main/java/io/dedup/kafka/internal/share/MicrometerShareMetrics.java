package io.dedup.kafka.internal.share;

import io.dedup.DeadLetterReason;
import io.dedup.kafka.internal.MicrometerCounters;
import org.apache.kafka.clients.consumer.AcknowledgeType;

/**
 * {@code dedup.kafka.share.acknowledgements{namespace,topic,type}}, {@code
 * dedup.kafka.share.dead.letters{namespace,topic,reason}}, {@code dedup.kafka.share.commit.failures{namespace,topic}},
 * {@code dedup.kafka.share.locks.lost{namespace,topic}}, {@code dedup.kafka.share.deferrals{namespace,topic}} and
 * {@code dedup.kafka.share.store.backoffs{namespace}}. Thread-safe.
 */
final class MicrometerShareMetrics implements ShareMetrics {
    private final MicrometerCounters counters;

    MicrometerShareMetrics(Object registry, String namespace) {
        this.counters = new MicrometerCounters(registry, namespace);
    }

    @Override
    public void acknowledged(String topic, AcknowledgeType type) {
        counters.increment(
                "dedup.kafka.share.acknowledgements",
                "Share-group records acknowledged, by acknowledgement type",
                "topic",
                topic,
                "type",
                type.name());
    }

    @Override
    public void deadLettered(String topic, DeadLetterReason reason) {
        counters.increment(
                "dedup.kafka.share.dead.letters",
                "Share-group records published to a dead-letter topic",
                "topic",
                topic,
                "reason",
                reason.name());
    }

    @Override
    public void commitFailed(String topic) {
        counters.increment(
                "dedup.kafka.share.commit.failures", "Partitions whose acknowledgement commit failed", "topic", topic);
    }

    @Override
    public void lockLost(String topic) {
        counters.increment(
                "dedup.kafka.share.locks.lost", "Records whose acquisition lock was lost while held", "topic", topic);
    }

    @Override
    public void deferred(String topic) {
        counters.increment(
                "dedup.kafka.share.deferrals",
                "Records kept for another claim because their key was held by another consumer",
                "topic",
                topic);
    }

    @Override
    public void storeBackOff() {
        counters.increment(
                "dedup.kafka.share.store.backoffs",
                "Times the share runner backed off because the store was unavailable");
    }
}
