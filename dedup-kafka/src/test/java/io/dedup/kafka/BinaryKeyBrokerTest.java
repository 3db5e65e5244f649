package io.dedup.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.dedup.memory.InMemoryDedupStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Binary header and record keys against a real broker: the header bytes {0xFF} and the text header {@code
 * base64:_w} (what the adapter used to make of those bytes) are two keys, each processed once.
 */
class BinaryKeyBrokerTest {
    private static final byte[] BINARY = {(byte) 0xFF};
    private static final byte[] LOOKALIKE = "base64:_w".getBytes(StandardCharsets.UTF_8);

    @Test
    void a_binary_header_and_the_text_that_spelled_it_are_two_keys() {
        String topic = Kafka.topic("binary-header", 1);
        send(List.of(
                header(topic, BINARY, "binary"),
                header(topic, LOOKALIKE, "text"),
                header(topic, BINARY, "binary again"),
                header(topic, LOOKALIKE, "text again")));

        List<String> handled = processAll(topic, KafkaDedup.builder(), 4);

        assertThat(handled).containsExactly("binary", "text");
    }

    @Test
    void a_binary_record_key_and_the_text_that_spelled_it_are_two_keys() {
        String topic = Kafka.topic("binary-record-key", 1);
        send(List.of(
                new ProducerRecord<>(topic, 0, BINARY, bytes("binary")),
                new ProducerRecord<>(topic, 0, LOOKALIKE, bytes("text")),
                new ProducerRecord<>(topic, 0, BINARY, bytes("binary again"))));

        List<String> handled =
                processAll(topic, KafkaDedup.builder().properties(Map.of("dedup.kafka.key", "record-key")), 3);

        assertThat(handled).containsExactly("binary", "text");
    }

    private static List<String> processAll(String topic, KafkaDedup.Builder builder, int records) {
        String group = Kafka.unique("group");
        List<String> handled = new ArrayList<>();
        try (KafkaDedup dedup = builder.store(InMemoryDedupStore.create())
                        .groupId(group)
                        .build();
                KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(
                        Kafka.consumerConfig(group), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            List<ConsumerRecord<byte[], byte[]>> polled = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (polled.size() < records && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(polled::add);
            }
            assertThat(polled).hasSize(records);
            PollOutcome outcome =
                    dedup.process(polled, record -> handled.add(new String(record.value(), StandardCharsets.UTF_8)));
            assertThat(outcome.allDone()).isTrue();
            assertThat(outcome.count(RecordStatus.DUPLICATE)).isEqualTo(records - 2);
        }
        return handled;
    }

    private static ProducerRecord<byte[], byte[]> header(String topic, byte[] key, String value) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(RecordKeys.DEFAULT_HEADER, key);
        return new ProducerRecord<>(topic, 0, (byte[]) null, bytes(value), headers);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void send(List<ProducerRecord<byte[], byte[]>> records) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                Kafka.broker().bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all");
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            records.forEach(producer::send);
            producer.flush();
        }
    }
}
