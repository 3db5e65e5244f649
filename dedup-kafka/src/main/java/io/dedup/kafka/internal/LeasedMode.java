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

    /** A poll claimed ahead: its records' decoder (it knows which are bad input) and its claimed batches. */
    private record LeasedClaimed<K, V>(RecordDecoder<K, V> decoder, LeasedBatch.Claimed batch) implements Claimed {}

    @Override
    public PollOutcome process(
            List<ConsumerRecord<byte[], byte[]>> records,
            Predicate<TopicPartition> startable,
            ConsumerGroupMetadata group) {
        return run(claim(records, null), startable);
    }

    @Override
    public boolean claimsAhead() {
        return true;
    }

    @Override
    public Claimed claim(List<ConsumerRecord<byte[], byte[]>> records, Claimed behind) {
        RecordDecoder<K, V> decoder = new RecordDecoder<>(keys, values, records.size());
        LeasedBatch.Claimed after = behind == null ? null : ((LeasedClaimed<?, ?>) behind).batch();
        return new LeasedClaimed<>(decoder, batches.claim(records, decoder::inspect, after));
    }

    @Override
    public PollOutcome run(Claimed claimed, Predicate<TopicPartition> startable) {
        @SuppressWarnings("unchecked")
        LeasedClaimed<K, V> poll = (LeasedClaimed<K, V>) claimed;
        return batches.run(poll.batch(), raw -> handler.handle(poll.decoder().typed(raw)), startable);
    }

    @Override
    public void giveBack(Claimed claimed) {
        batches.giveBack(((LeasedClaimed<?, ?>) claimed).batch());
    }

    @Override
    public Commits commits() {
        return Commits.RUNNER;
    }
}
