package io.dedup.kafka;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/** Builds consumer records for unit tests. */
final class Records {
    private Records() {}

    /** A String record with an {@code idempotency-key} header (none when {@code key} is null). */
    static ConsumerRecord<String, String> record(String topic, int partition, long offset, String key, String value) {
        RecordHeaders headers = new RecordHeaders();
        if (key != null) {
            headers.add(RecordKeys.DEFAULT_HEADER, key.getBytes(StandardCharsets.UTF_8));
        }
        return new ConsumerRecord<>(
                topic,
                partition,
                offset,
                1_000L + offset,
                TimestampType.CREATE_TIME,
                -1,
                -1,
                "k" + offset,
                value,
                headers,
                Optional.empty());
    }

    static ConsumerRecord<byte[], byte[]> raw(String topic, int partition, long offset, String key, String value) {
        ConsumerRecord<String, String> r = record(topic, partition, offset, key, value);
        return new ConsumerRecord<>(
                topic,
                partition,
                offset,
                r.timestamp(),
                TimestampType.CREATE_TIME,
                -1,
                -1,
                r.key().getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8),
                r.headers(),
                Optional.empty());
    }

    /** Groups records per partition, in the order given, as a poll returns them. */
    static <K, V> ConsumerRecords<K, V> poll(List<ConsumerRecord<K, V>> records) {
        Map<TopicPartition, List<ConsumerRecord<K, V>>> byPartition = new LinkedHashMap<>();
        for (ConsumerRecord<K, V> r : records) {
            byPartition
                    .computeIfAbsent(new TopicPartition(r.topic(), r.partition()), p -> new ArrayList<>())
                    .add(r);
        }
        return new ConsumerRecords<>(byPartition); // the one constructor kafka-clients 3.x and 4.x share
    }
}
