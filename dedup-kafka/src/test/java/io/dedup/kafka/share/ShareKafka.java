package io.dedup.kafka.share;

import io.dedup.kafka.Kafka;
import io.dedup.testkit.KafkaBroker;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One real broker for the share-group tests of this JVM, started with a lower floor for the groups' acquisition lock
 * ({@code group.share.min.record.lock.duration.ms=1000}) so that lock expiry takes seconds, not half a minute. Share
 * groups need nothing else on Kafka 4.4: a freshly formatted cluster has the {@code share.version} feature.
 */
final class ShareKafka {
    private ShareKafka() {}

    static KafkaBroker broker() {
        return KafkaBroker.shared(Map.of("group.share.min.record.lock.duration.ms", "1000"));
    }

    static String unique(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String topic(String name, int partitions) {
        return broker().createUniqueTopic(name, partitions);
    }

    /**
     * Configures share group {@code group}: reads from the earliest offset, locks records for {@code lock}, allows
     * RENEW when {@code renew}, and delivers a record at most {@code deliveryLimit} times.
     */
    static void configureGroup(String group, Duration lock, boolean renew, int deliveryLimit) throws Exception {
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker().bootstrapServers()))) {
            admin.incrementalAlterConfigs(Map.of(
                            new ConfigResource(ConfigResource.Type.GROUP, group),
                            List.of(
                                    set("share.auto.offset.reset", "earliest"),
                                    set("share.record.lock.duration.ms", Long.toString(lock.toMillis())),
                                    set("share.renew.acknowledge.enable", Boolean.toString(renew)),
                                    set("share.delivery.count.limit", Integer.toString(deliveryLimit)))))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
    }

    private static AlterConfigOp set(String name, String value) {
        return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }

    static Map<String, Object> consumerConfig(String group) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker().bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        return config;
    }

    static ProducerRecord<String, String> message(String topic, int partition, String key, String value) {
        return Kafka.message(topic, partition, key, value);
    }

    static void send(List<ProducerRecord<String, String>> records) {
        broker().send(records);
    }

    /** Reads {@code count} records of {@code topic} from its start (see {@link KafkaBroker#read}). */
    static List<ConsumerRecord<byte[], byte[]>> read(String topic, int count) {
        return broker().read(topic, count, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    static String header(ConsumerRecord<?, ?> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The sum of the share runner's acknowledgement counter for {@code type}. */
    static double acks(MeterRegistry registry, String type) {
        return registry.find("dedup.kafka.share.acknowledgements").tag("type", type).counters().stream()
                .mapToDouble(c -> c.count())
                .sum();
    }
}
