package io.dedup.kafka.internal;

import io.dedup.DedupConsumer;
import java.util.Collection;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * What the machinery of one {@code KafkaDedup} shares, handed to each part through its constructor: the validated
 * settings, the memory of records seen but not yet committed past, the adapter's own counters, and the per-topic
 * dedup consumers. Every batch and mode of one instance gets the same parts, so that a failure counted by the
 * leased batch is seen by the next poll, and a record dead-lettered once is not published again after a rewind.
 *
 * <p>Immutable; the parts it holds are thread-safe.
 *
 * @param settings the validated settings
 * @param memory failure counts, deferrals and sent dead letters per partition and offset
 * @param metrics the {@code dedup.kafka.*} counters (no-op without a meter registry)
 * @param consumers one dedup consumer per topic
 */
public record KafkaDedupContext(
        KafkaDedupSettings settings, RecordMemory memory, KafkaMetrics metrics, TopicConsumers consumers) {
    public KafkaDedupContext {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(consumers, "consumers");
    }

    /** The dedup consumer of {@code topic}, created on first use. */
    public DedupConsumer<ConsumerRecord<?, ?>> consumerFor(String topic) {
        return consumers.consumerFor(topic);
    }

    /** Forgets what the record memory holds about partitions this consumer no longer owns. */
    public void forget(Collection<TopicPartition> partitions) {
        memory.forget(partitions);
    }

    /** Stops the per-topic consumers' lease renewal; the store is its owner's to close. */
    public void close() {
        consumers.close();
    }

    /** Fresh parts for an instance with {@code settings}: empty memory, counters on its meter registry if any. */
    public static KafkaDedupContext of(KafkaDedupSettings settings) {
        return new KafkaDedupContext(
                settings,
                new RecordMemory(),
                KafkaMetrics.of(settings.meterRegistry(), settings.namespace()),
                new TopicConsumers(settings));
    }
}
