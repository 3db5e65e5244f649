package io.dedup.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What tests ask of a running {@link KafkaBroker} through the Kafka clients: create a topic and wait until it is
 * really served, publish records and wait until they are written, read a topic from its beginning. Each call opens and closes its own client, so
 * tests share nothing but the broker.
 *
 * <p>Stateless; thread-safe.
 */
final class BrokerTopics {
    private BrokerTopics() {}

    /** See {@link KafkaBroker#send}. */
    static void send(String bootstrapServers, List<ProducerRecord<String, String>> records) {
        Map<String, Object> config =
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers, ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (ProducerRecord<String, String> record : records) {
                producer.send(record);
            }
            producer.flush();
        }
    }

    /** See {@link KafkaBroker#read}. */
    static <K, V> List<ConsumerRecord<K, V>> read(
            String bootstrapServers, String topic, int count, Deserializer<K> keys, Deserializer<V> values) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG,
                "reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest");
        List<ConsumerRecord<K, V>> records = new ArrayList<>();
        try (KafkaConsumer<K, V> consumer = new KafkaConsumer<>(config, keys, values)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /**
     * See {@link KafkaBroker#createTopic}.
     *
     * @throws IllegalStateException if the broker refuses or does not answer within 30 s
     */
    static void create(String bootstrapServers, String name, int partitions) {
        Map<String, Object> conf = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(conf)) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            awaitLeaders(admin, name);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create topic " + name + ": " + e, e);
        }
    }

    /**
     * A created topic's partitions take a moment to be served: metadata may name a leader that is not leading yet,
     * a produce is then refused, and an idempotent producer with batches in flight behind it can stay stuck on
     * OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout (records lost to the test). So wait until every
     * partition answers a request only a leader serves: listing its end offset.
     */
    private static void awaitLeaders(Admin admin, String topic) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
                admin.describeTopics(List.of(topic))
                        .allTopicNames()
                        .get(10, TimeUnit.SECONDS)
                        .get(topic)
                        .partitions()
                        .forEach(p -> ends.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
                admin.listOffsets(ends).all().get(10, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | TimeoutException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("partitions of " + topic + " are not served after 30 s: " + notYet);
                }
                Thread.sleep(50);
            }
        }
    }
}
