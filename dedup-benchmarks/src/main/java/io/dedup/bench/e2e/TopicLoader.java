package io.dedup.bench.e2e;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes a workload's records to a new topic once, before any arm reads it: each record carries its key in the
 * {@value #KEY_HEADER} header (and as the record key) and a JSON body of under 100 bytes.
 *
 * <p>Every arm reads the same topic, so every arm sees the same records in the same partitions in the same order;
 * writing before any arm runs keeps the producer from competing with a measured consumer for the two cores.
 * Stateless apart from the address; thread-safe.
 */
final class TopicLoader {
    /** The header every arm reads the idempotency key from. */
    static final String KEY_HEADER = "idempotency-key";

    /** The broker every arm reads from. */
    private final String bootstrapServers;

    TopicLoader(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * Creates {@code topic} with {@code partitions} partitions and writes {@code keys} to it in order. Batched and
     * lingering producer settings make loading fast; {@code acks=all} makes sure every record is there before an arm
     * starts counting.
     *
     * @throws ExecutionException if the topic cannot be created (for example, it exists)
     * @throws InterruptedException if interrupted while waiting for the broker
     */
    void load(String topic, int partitions, String[] keys) throws InterruptedException, ExecutionException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
                    .all()
                    .get();
        }
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.LINGER_MS_CONFIG,
                5,
                ProducerConfig.BATCH_SIZE_CONFIG,
                256 * 1024);
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < keys.length; i++) {
                // the key as record key too: copies of a key land in one partition, as a producer's retries do
                ProducerRecord<String, String> record = new ProducerRecord<>(topic, keys[i], body(keys[i], i));
                record.headers().add(KEY_HEADER, keys[i].getBytes(StandardCharsets.UTF_8));
                producer.send(record);
            }
            producer.flush();
        }
    }

    /** Deletes {@code topic}; best effort. */
    void delete(String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.deleteTopics(List.of(topic)).all().get();
        } catch (ExecutionException e) {
            BenchLog.log("could not delete topic %s: %s", topic, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The JSON body of the record at {@code sequence}, under 100 bytes; RabbitMQ queues carry the same. */
    static String body(String key, int sequence) {
        return String.format(
                Locale.ROOT,
                "{\"id\":\"%s\",\"seq\":%d,\"customer\":\"c-%05d\",\"amount\":%d.%02d,\"currency\":\"EUR\"}",
                key,
                sequence,
                sequence % 10_000,
                sequence % 997,
                sequence % 100);
    }
}
