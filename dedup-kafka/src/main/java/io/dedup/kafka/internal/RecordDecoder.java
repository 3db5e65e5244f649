package io.dedup.kafka.internal;

import io.dedup.DeadLetterReason;
import java.util.IdentityHashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Deserializes the raw records of one batch with the application's deserializers, so that a record that cannot be
 * deserialized is dead-lettered with its exact bytes instead of stopping the poll loop. Not thread-safe: one batch,
 * one thread.
 */
public final class RecordDecoder<K, V> {
    private final Deserializer<K> keys;
    private final Deserializer<V> values;
    /**
     * The typed copy of each raw record inspected, by identity: the batch hands back the very objects it inspected,
     * so no record content needs hashing.
     */
    private final Map<ConsumerRecord<?, ?>, ConsumerRecord<K, V>> typed;

    /** A decoder for a batch of unknown size. */
    public RecordDecoder(Deserializer<K> keys, Deserializer<V> values) {
        this(keys, values, 32);
    }

    /** A decoder for a batch of about {@code records} records. */
    public RecordDecoder(Deserializer<K> keys, Deserializer<V> values, int records) {
        this.keys = keys;
        this.values = values;
        this.typed = new IdentityHashMap<>(records);
    }

    /** Null when the record is fine (then {@link #typed} has it), else why it is bad input. */
    public BadInput inspect(ConsumerRecord<?, ?> raw) {
        if (raw.value() == null) {
            return new BadInput(DeadLetterReason.TOMBSTONE, null);
        }
        try {
            typed.put(raw, decode(raw));
            return null;
        } catch (RuntimeException e) {
            return new BadInput(DeadLetterReason.DESERIALIZATION_FAILED, e);
        }
    }

    /** The deserialized form of a record {@link #inspect} accepted. */
    public ConsumerRecord<K, V> typed(ConsumerRecord<?, ?> raw) {
        ConsumerRecord<K, V> record = typed.get(raw);
        return record != null ? record : decode(raw);
    }

    /**
     * The typed copy of a raw record: every field kept (headers, leader epoch, delivery count), so that handlers and
     * key extractors see the record as Kafka delivered it.
     */
    private ConsumerRecord<K, V> decode(ConsumerRecord<?, ?> raw) {
        K key = keys.deserialize(raw.topic(), raw.headers(), (byte[]) raw.key());
        V value = values.deserialize(raw.topic(), raw.headers(), (byte[]) raw.value());
        return KafkaClients.record(
                raw.topic(),
                raw.partition(),
                raw.offset(),
                raw.timestamp(),
                raw.timestampType(),
                raw.serializedKeySize(),
                raw.serializedValueSize(),
                key,
                value,
                raw.headers(),
                raw.leaderEpoch(),
                KafkaClients.deliveryCount(raw));
    }
}
