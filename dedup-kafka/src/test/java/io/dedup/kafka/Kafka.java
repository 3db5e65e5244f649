package io.dedup.kafka;

import io.dedup.testkit.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * One real broker for the whole test JVM (2 cores: never one per test), and the small helpers the broker tests
 * share. Each test uses its own topics and group, named uniquely.
 */
public final class Kafka {
    private Kafka() {}

    static KafkaBroker broker() {
        return KafkaBroker.shared();
    }

    static String unique(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Creates a topic with a unique name and returns that name. */
    static String topic(String name, int partitions) {
        return broker().createUniqueTopic(name, partitions);
    }

    static Map<String, Object> consumerConfig(String group) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker().bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        // members notice a rebalance at their next heartbeat: keep that short so tests see it while handlers run
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 250);
        return config;
    }

    /** A record with the idempotency-key header (none when {@code key} is null). */
    public static ProducerRecord<String, String> message(String topic, int partition, String key, String value) {
        RecordHeaders headers = new RecordHeaders();
        if (key != null) {
            headers.add(RecordKeys.DEFAULT_HEADER, key.getBytes(StandardCharsets.UTF_8));
        }
        return new ProducerRecord<>(topic, partition, "rk-" + key, value, headers);
    }

    static void send(List<ProducerRecord<String, String>> records) {
        broker().send(records);
    }

    static Map<TopicPartition, Long> endOffsets(String topic) {
        try (Admin admin = admin()) {
            Set<TopicPartition> partitions =
                    admin.describeTopics(Set.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .collect(Collectors.toSet());
            Map<TopicPartition, OffsetSpec> latest =
                    partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
            return admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS).entrySet().stream()
                    .collect(Collectors.toMap(
                            Map.Entry::getKey, e -> e.getValue().offset()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The group's committed offsets for {@code topic}; partitions without a commit are absent. */
    static Map<TopicPartition, Long> committed(String group, String topic) {
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Long> result = new HashMap<>();
            offsets.forEach((partition, offset) -> {
                if (partition.topic().equals(topic) && offset != null) {
                    result.put(partition, offset.offset());
                }
            });
            return result;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads {@code n} records of {@code topic} from the beginning (see {@link KafkaBroker#read}). */
    static List<ConsumerRecord<String, String>> read(String topic, int n) {
        return broker().read(topic, n, new StringDeserializer(), new StringDeserializer());
    }

    /** Reads {@code topic} from the beginning to its current end (read_committed when asked). */
    static List<ConsumerRecord<String, String>> readToEnd(String topic, boolean readCommitted) {
        Map<TopicPartition, Long> end = endOffsets(topic);
        Map<String, Object> config = consumerConfig(unique("reader"));
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, readCommitted ? "read_committed" : "read_uncommitted");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(end.keySet());
            consumer.seekToBeginning(end.keySet());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline
                    && !end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    static String header(ConsumerRecord<?, ?> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    static Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", broker().bootstrapServers()));
    }
}
