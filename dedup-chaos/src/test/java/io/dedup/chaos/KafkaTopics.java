package io.dedup.chaos;

import io.dedup.testkit.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The run's Kafka topic on the suite's own KRaft broker (a child JVM that scenarios SIGKILL and restart), the
 * producer that fills it (the key in the {@code idempotency-key} header and as the record key; a message's lane is
 * its partition), and the offsets the invariants read.
 */
final class KafkaTopics implements ChaosBroker {
    private final KafkaBroker broker;
    private final String topic;
    private final String group;
    private final int partitions;
    private final Function<String, Map<Integer, Long>> databasePositions;
    private final KafkaProducer<String, String> producer;
    private final Admin admin;

    /**
     * @param databasePositions the offsets the database holds per partition for a topic (Kafka-to-database mode),
     *     or null to read the group's committed offsets
     */
    KafkaTopics(String runId, String group, int partitions, Function<String, Map<Integer, Long>> databasePositions) {
        this.broker = broker();
        this.topic = "chaos-" + runId;
        this.group = group;
        this.partitions = partitions;
        this.databasePositions = databasePositions;
        broker.createTopic(topic, partitions);
        broker.createTopic(topic + ".DLT", 1);
        Properties config = new Properties();
        config.put("bootstrap.servers", broker.bootstrapServers());
        config.put("acks", "all");
        config.put("enable.idempotence", "true");
        config.put("max.request.size", String.valueOf(4 * 1024 * 1024));
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
        Properties adminConfig = new Properties();
        adminConfig.put("bootstrap.servers", broker.bootstrapServers());
        this.admin = Admin.create(adminConfig);
    }

    /** One broker for every Kafka scenario of the test JVM (it starts in seconds, but not in none). */
    static KafkaBroker broker() {
        return KafkaBroker.shared(Map.of("group.min.session.timeout.ms", "1000"));
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public Map<String, String> consumerSettings() {
        return Map.of("broker", "kafka", "topics", topic, "bootstrap", broker.bootstrapServers());
    }

    @Override
    public int lanes() {
        return partitions;
    }

    String topic() {
        return topic;
    }

    KafkaBroker kafka() {
        return broker;
    }

    @Override
    public void publish(List<Workload.Message> messages) throws Exception {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (Workload.Message message : messages) {
            ProducerRecord<String, String> record = new ProducerRecord<>(
                    topic,
                    message.queue() % partitions,
                    message.messageId(),
                    message.body() == null ? null : new String(message.body(), StandardCharsets.UTF_8));
            if (message.messageId() != null) {
                record.headers()
                        .add(new RecordHeader(
                                "idempotency-key", message.messageId().getBytes(StandardCharsets.UTF_8)));
            }
            message.headers().forEach((name, value) -> record.headers()
                    .add(new RecordHeader(
                            name,
                            value instanceof byte[] bytes
                                    ? bytes
                                    : String.valueOf(value).getBytes(StandardCharsets.UTF_8))));
            sent.add(producer.send(record));
        }
        producer.flush();
        for (java.util.concurrent.Future<?> future : sent) {
            future.get(60, TimeUnit.SECONDS);
        }
    }

    @Override
    public long waiting() throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        var ends = admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
        Map<Integer, Long> done = new HashMap<>();
        if (databasePositions != null) {
            done.putAll(databasePositions.apply(topic));
        } else {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            committed.forEach((tp, offset) -> {
                if (offset != null && tp.topic().equals(topic)) {
                    done.put(tp.partition(), offset.offset());
                }
            });
        }
        long waiting = 0;
        for (var end : ends.entrySet()) {
            waiting += Math.max(
                    0, end.getValue().offset() - done.getOrDefault(end.getKey().partition(), 0L));
        }
        return waiting;
    }

    @Override
    public long deadLettered() throws Exception {
        TopicPartition dlt = new TopicPartition(topic + ".DLT", 0);
        return admin.listOffsets(Map.of(dlt, OffsetSpec.latest()))
                .all()
                .get(30, TimeUnit.SECONDS)
                .get(dlt)
                .offset();
    }

    @Override
    public void close() throws Exception {
        try {
            producer.close();
            admin.deleteTopics(List.of(topic, topic + ".DLT")).all().get(30, TimeUnit.SECONDS);
        } finally {
            admin.close();
        }
    }
}
