package io.dedup.examples;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A real {@link KafkaConsumer} that counts the records the broker delivers to it and can die before committing:
 * after {@link #dieBeforeCommitting()} no commit of it reaches the broker, exactly as if its process had been
 * killed after processing and before its next commit. The partitions' committed offsets stay where they were, and
 * the next owner gets those records again. Thread-safe as a {@code KafkaConsumer} is: one thread polls.
 */
final class CrashableConsumer extends KafkaConsumer<byte[], byte[]> {
    private final LongAdder deliveries;
    private volatile boolean dead;

    CrashableConsumer(Map<String, Object> config, LongAdder deliveries) {
        super(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.deliveries = deliveries;
    }

    /** From now on, commits are lost. */
    void dieBeforeCommitting() {
        dead = true;
    }

    @Override
    public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        ConsumerRecords<byte[], byte[]> records = super.poll(timeout);
        deliveries.add(records.count());
        return records;
    }

    @Override
    public void commitSync() {
        if (!dead) {
            super.commitSync();
        }
    }

    @Override
    public void commitSync(Duration timeout) {
        if (!dead) {
            super.commitSync(timeout);
        }
    }

    @Override
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (!dead) {
            super.commitSync(offsets);
        }
    }

    @Override
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
        if (!dead) {
            super.commitSync(offsets, timeout);
        }
    }

    @Override
    public void commitAsync() {
        if (!dead) {
            super.commitAsync();
        }
    }

    @Override
    public void commitAsync(OffsetCommitCallback callback) {
        if (!dead) {
            super.commitAsync(callback);
        }
    }

    @Override
    public void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
        if (!dead) {
            super.commitAsync(offsets, callback);
        }
    }
}
