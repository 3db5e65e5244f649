package io.dedup.kafka;

import io.dedup.DeadLetterReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code dedup.kafka.dead.letters{namespace,topic,reason}}, {@code dedup.kafka.deferrals{namespace,topic}}, {@code
 * dedup.kafka.retries{namespace,topic}} and {@code dedup.kafka.store.backoffs{namespace}}. Micrometer caches meters
 * by name and tags, so looking one up per event is cheap and only happens off the happy path.
 */
final class MicrometerKafkaMetrics implements KafkaMetrics {
    private final MeterRegistry registry;
    private final String namespace;
    private final Counter storeBackOffs;

    MicrometerKafkaMetrics(Object registry, String namespace) {
        this.registry = (MeterRegistry) registry;
        this.namespace = namespace;
        this.storeBackOffs = Counter.builder("dedup.kafka.store.backoffs")
                .description("Times the runner paused all partitions because the store was unavailable")
                .tag("namespace", namespace)
                .register(this.registry);
    }

    @Override
    public void deadLettered(String topic, DeadLetterReason reason) {
        Counter.builder("dedup.kafka.dead.letters")
                .description("Records published to a dead-letter topic")
                .tags("namespace", namespace, "topic", topic, "reason", reason.name())
                .register(registry)
                .increment();
    }

    @Override
    public void deferred(String topic) {
        Counter.builder("dedup.kafka.deferrals")
                .description("Records deferred because their key was in progress elsewhere")
                .tags("namespace", namespace, "topic", topic)
                .register(registry)
                .increment();
    }

    @Override
    public void retried(String topic) {
        Counter.builder("dedup.kafka.retries")
                .description("Failed records scheduled for another attempt")
                .tags("namespace", namespace, "topic", topic)
                .register(registry)
                .increment();
    }

    @Override
    public void storeBackOff() {
        storeBackOffs.increment();
    }
}
