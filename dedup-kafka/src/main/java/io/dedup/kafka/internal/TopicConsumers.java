package io.dedup.kafka.internal;

import io.dedup.DedupConsumer;
import io.dedup.DedupConsumerBuilder;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * One {@link DedupConsumer} per topic, created on first use from a {@link KafkaDedupSettings}: each topic has its
 * own key extractor and its core metrics tagged {@code topic}, while all of them share the store and the namespace.
 * Keeping one consumer per topic (rather than one per poll) is what lets core renew the leases of a topic's batch
 * and reuse its completion writer across polls.
 *
 * <p>Thread-safe: consumers are created at most once per topic, and {@link DedupConsumer} is thread-safe.
 */
final class TopicConsumers implements AutoCloseable {
    private final KafkaDedupSettings settings;
    /** Concurrent: the handler thread and a user's own threads (wrap, keyOf) may ask for a topic's consumer at once. */
    private final Map<String, DedupConsumer<ConsumerRecord<?, ?>>> byTopic = new ConcurrentHashMap<>();

    /** Consumers with {@code settings}: its store, namespace, lease, retention, policies and key extractors. */
    public TopicConsumers(KafkaDedupSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** The consumer that serves {@code topic}, created on first use. */
    public DedupConsumer<ConsumerRecord<?, ?>> consumerFor(String topic) {
        return byTopic.computeIfAbsent(topic, this::newConsumer);
    }

    /** Stops lease renewal of every topic's consumer. The store is not closed here: its owner closes it. */
    @Override
    public void close() {
        byTopic.values().forEach(DedupConsumer::close);
    }

    private DedupConsumer<ConsumerRecord<?, ?>> newConsumer(String topic) {
        DedupConsumerBuilder<ConsumerRecord<?, ?>> builder = DedupConsumer.<ConsumerRecord<?, ?>>builder(
                        settings.keys(topic))
                .store(settings.store())
                .namespace(settings.namespace())
                .settings(settings.shared())
                .messageDescriber(TopicConsumers::describe)
                .metricTag("topic", topic);
        if (settings.meterRegistry() != null) {
            builder.meterRegistry(settings.meterRegistry());
        }
        return builder.build();
    }

    /** How logs and exceptions name a record: {@code record <topic>-<partition>@<offset>}. */
    public static String describe(ConsumerRecord<?, ?> record) {
        return "record " + record.topic() + "-" + record.partition() + "@" + record.offset();
    }
}
