package io.dedup.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaBrokerTest {
    private static final String TOPIC = "events";
    private static final String GROUP = "g1";

    @Test
    void broker_keeps_topics_and_committed_offsets_across_kill_and_restart() throws Exception {
        long t0 = System.nanoTime();
        try (KafkaBroker broker = KafkaBroker.start()) {
            System.err.printf("start() took %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            long firstPid = broker.pid();
            broker.createTopic(TOPIC, 3);
            produce(broker, 0, 100);
            assertEquals(expected(0, 100), consume(broker, 100));

            broker.kill();
            assertEquals(-1, broker.pid());
            long t1 = System.nanoTime();
            broker.restart();
            System.err.printf("restart() after kill took %d ms%n", (System.nanoTime() - t1) / 1_000_000);
            assertNotEquals(firstPid, broker.pid());

            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                assertEquals(
                        3,
                        admin.describeTopics(Set.of(TOPIC))
                                .allTopicNames()
                                .get()
                                .get(TOPIC)
                                .partitions()
                                .size());
            }
            produce(broker, 100, 200);
            // committed offsets survived the SIGKILL: the same group sees only the new records
            assertEquals(expected(100, 200), consume(broker, 100));
        }
    }

    private static List<String> expected(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add("v" + i);
        }
        return out;
    }

    private static void produce(KafkaBroker broker, int from, int to) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(TOPIC, "k" + i, "v" + i));
            }
            producer.flush();
        }
    }

    /** Reads exactly {@code n} records with group {@link #GROUP}, commits, returns sorted values. */
    private static List<String> consume(KafkaBroker broker, int n) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (values.size() < n && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    values.add(r.value());
                }
            }
            consumer.commitSync();
            assertTrue(consumer.poll(Duration.ofMillis(500)).isEmpty(), "no extra records");
        }
        assertFalse(values.isEmpty());
        values.sort((a, b) -> Integer.compare(Integer.parseInt(a.substring(1)), Integer.parseInt(b.substring(1))));
        return values;
    }
}
