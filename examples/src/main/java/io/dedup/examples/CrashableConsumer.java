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
 *
 * <p>A subclass of the real consumer rather than a mock: the runner, the group protocol and the broker all behave as
 * in production; only the commits are swallowed, which is exactly what a kill between processing and committing
 * looks like from the broker's side.
 */
final class CrashableConsumer extends KafkaConsumer<byte[], byte[]> {
    /** Records the broker delivered to this consumer, shared with the scenario's other consumers. */
    private final LongAdder deliveries;
    /** Set once by {@link #dieBeforeCommitting()}; read by the polling thread on every commit. */
    private volatile boolean dead;

    /**
     * A consumer with {@code config}, adding every delivered record to {@code deliveries}. Byte-array deserializers,
     * since the runner deserializes records itself with the deserializers it was built with.
     */
    CrashableConsumer(Map<String, Object> config, LongAdder deliveries) {
        super(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.deliveries = deliveries;
    }

    /** From now on, commits are lost. */
    void dieBeforeCommitting() {
        dead = true;
    }

    /**
     * Polls and counts the delivered records, before dedup sees them: the demo's "deliveries" include every duplicate.
     */
    @Override
    public ConsumerRecords<byte[], byte[]> poll(Duration timeout) {
        ConsumerRecords<byte[], byte[]> records = super.poll(timeout);
        deliveries.add(records.count());
        return records;
    }

    // Every commit variant is overridden, whichever the runner uses: a crash that let one variant through would not be
    // one.
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
