package io.dedup.kafka.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;

/**
 * The records the poll thread fetched ahead while a batch runs: per partition in offset order, not yet started and
 * not claimed. Because nothing here is claimed, dropping records is always safe: the consumer's position is sought
 * back to the first dropped record when it must be fetched again (a rewind), or left to the partition's next owner
 * (a revocation).
 *
 * <p>Not thread-safe: the poll thread's.
 */
final class FetchBuffer {
    private final Consumer<byte[], byte[]> consumer;
    private List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

    FetchBuffer(Consumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
    }

    /** Appends a poll's records; polls come per partition in offset order, and so the buffer stays. */
    void add(ConsumerRecords<byte[], byte[]> polled) {
        if (!polled.isEmpty()) {
            polled.forEach(records::add);
        }
    }

    boolean isEmpty() {
        return records.isEmpty();
    }

    int size() {
        return records.size();
    }

    /** Everything buffered, as the next batch; the buffer is empty afterwards. */
    List<ConsumerRecord<byte[], byte[]>> takeAll() {
        List<ConsumerRecord<byte[], byte[]>> taken = records;
        // handed over, not copied: the handler thread owns the taken list from now on, the poll thread a new one
        records = new ArrayList<>(taken.size());
        return taken;
    }

    /** Puts records taken before (and given back unrun) back at the front, ahead of everything fetched since. */
    void prepend(List<ConsumerRecord<byte[], byte[]>> given) {
        List<ConsumerRecord<byte[], byte[]>> joined = new ArrayList<>(given.size() + records.size());
        joined.addAll(given);
        joined.addAll(records);
        records = joined;
    }

    /** Drops everything: fetched, never claimed, so nothing is to be given back. */
    void clear() {
        records.clear();
    }

    /**
     * Drops the buffered records of the partitions {@code which} selects; with {@code seek}, the partition is sought
     * back to its first dropped record, so that it is fetched again.
     */
    void drop(Predicate<TopicPartition> which, boolean seek) {
        if (records.isEmpty()) {
            return;
        }
        Map<TopicPartition, Long> first = new LinkedHashMap<>();
        Map<TopicPartition, Boolean> chosen = new HashMap<>();
        records.removeIf(record -> {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            if (chosen.computeIfAbsent(partition, which::test)) {
                first.putIfAbsent(partition, record.offset());
                return true;
            }
            return false;
        });
        if (seek) {
            seekToFirst(first);
        }
    }

    /** Seeks each partition of {@code batch} back to its first record there, so that the whole batch comes again. */
    void rewindTo(List<ConsumerRecord<byte[], byte[]>> batch) {
        Map<TopicPartition, Long> first = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : batch) {
            first.putIfAbsent(new TopicPartition(record.topic(), record.partition()), record.offset());
        }
        seekToFirst(first);
    }

    /** Seeking a partition no longer assigned would throw; its next owner starts from the committed offset. */
    private void seekToFirst(Map<TopicPartition, Long> first) {
        Set<TopicPartition> assignment = consumer.assignment();
        first.forEach((partition, offset) -> {
            if (assignment.contains(partition)) {
                consumer.seek(partition, offset);
            }
        });
    }
}
