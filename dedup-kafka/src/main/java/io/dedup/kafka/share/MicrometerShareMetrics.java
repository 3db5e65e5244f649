package io.dedup.kafka.share;

import io.dedup.DeadLetterReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.AcknowledgeType;

/**
 * {@code dedup.kafka.share.acknowledgements{namespace,topic,type}}, {@code
 * dedup.kafka.share.dead.letters{namespace,topic,reason}}, {@code dedup.kafka.share.commit.failures{namespace,topic}},
 * {@code dedup.kafka.share.locks.lost{namespace,topic}}, {@code dedup.kafka.share.deferrals{namespace,topic}} and {@code dedup.kafka.share.store.backoffs{namespace}}.
 */
final class MicrometerShareMetrics implements ShareMetrics {
    private final MeterRegistry registry;
    private final String namespace;

    MicrometerShareMetrics(Object registry, String namespace) {
        this.registry = (MeterRegistry) registry;
        this.namespace = namespace;
    }

    @Override
    public void acknowledged(String topic, AcknowledgeType type) {
        Counter.builder("dedup.kafka.share.acknowledgements")
                .description("Share-group records acknowledged, by acknowledgement type")
                .tags("namespace", namespace, "topic", topic, "type", type.name())
                .register(registry)
                .increment();
    }

    @Override
    public void deadLettered(String topic, DeadLetterReason reason) {
        Counter.builder("dedup.kafka.share.dead.letters")
                .description("Share-group records published to a dead-letter topic")
                .tags("namespace", namespace, "topic", topic, "reason", reason.name())
                .register(registry)
                .increment();
    }

    @Override
    public void commitFailed(String topic) {
        Counter.builder("dedup.kafka.share.commit.failures")
                .description("Partitions whose acknowledgement commit failed")
                .tags("namespace", namespace, "topic", topic)
                .register(registry)
                .increment();
    }

    @Override
    public void lockLost(String topic) {
        Counter.builder("dedup.kafka.share.locks.lost")
                .description("Records whose acquisition lock was lost while held")
                .tags("namespace", namespace, "topic", topic)
                .register(registry)
                .increment();
    }

    @Override
    public void deferred(String topic) {
        Counter.builder("dedup.kafka.share.deferrals")
                .description("Records kept for another claim because their key was held by another consumer")
                .tags("namespace", namespace, "topic", topic)
                .register(registry)
                .increment();
    }

    @Override
    public void storeBackOff() {
        Counter.builder("dedup.kafka.share.store.backoffs")
                .description("Times the share runner backed off because the store was unavailable")
                .tag("namespace", namespace)
                .register(registry)
                .increment();
    }
}
