package io.dedup.kafka.internal;

import io.dedup.MessageHandler;
import io.dedup.kafka.PollOutcome;
import java.util.List;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The default mode: leased claims through {@link LeasedBatch}, offsets committed to Kafka by the runner. The records
 * are deserialized once per batch by a {@link RecordDecoder}, so that one whose bytes the deserializers refuse is
 * dead-lettered with those bytes instead of failing the batch.
 *
 * <p>Thread-safe as far as the runner needs: one batch at a time, on its handler thread.
 */
public final class LeasedMode<K, V> implements BatchMode {
    private final LeasedBatch batches;
    private final Deserializer<K> keys;
    private final Deserializer<V> values;
    private final MessageHandler<? super ConsumerRecord<K, V>> handler;

    public LeasedMode(
            LeasedBatch batches,
            Deserializer<K> keys,
            Deserializer<V> values,
            MessageHandler<? super ConsumerRecord<K, V>> handler) {
        this.batches = batches;
        this.keys = keys;
        this.values = values;
        this.handler = handler;
    }

    @Override
    public PollOutcome process(
            List<ConsumerRecord<byte[], byte[]>> records,
            Predicate<TopicPartition> startable,
            ConsumerGroupMetadata group) {
        RecordDecoder<K, V> decoder = new RecordDecoder<>(keys, values, records.size());
        return batches.process(records, decoder::inspect, raw -> handler.handle(decoder.typed(raw)), startable);
    }

    @Override
    public Commits commits() {
        return Commits.RUNNER;
    }
}
