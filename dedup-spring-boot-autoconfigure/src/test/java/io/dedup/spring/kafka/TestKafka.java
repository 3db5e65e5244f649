package io.dedup.spring.kafka;

import io.dedup.testkit.KafkaBroker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** One Kafka broker for the module's tests, started on first use and stopped when the JVM exits. */
final class TestKafka {
    private static KafkaBroker broker;

    private TestKafka() {}

    static synchronized KafkaBroker broker() {
        if (broker == null) {
            KafkaBroker started = KafkaBroker.start();
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "test-kafka-stop"));
            broker = started;
        }
        return broker;
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Every record of {@code topic} that a fresh consumer can read within {@code wait}, from the beginning. */
    static List<ConsumerRecord<String, String>> readAll(String topic, Duration wait) {
        Properties props = new Properties();
        props.putAll(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, unique("reader"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
        List<ConsumerRecord<String, String>> all = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long end = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(all::add);
            }
        }
        return all;
    }
}
