package io.dedup.kafka.internal.share;

import io.dedup.DeadLetterReason;
import io.dedup.kafka.internal.DeadLetterRecords;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The share runner's dead letters: where each topic's go, and publishing them in the classic runner's format
 * ({@link DeadLetterRecords}) with the classic runner's reason words ({@link DeadLetterReason}), waiting for the
 * broker's acknowledgements.
 *
 * <p>Thread-safe, as Kafka producers are.
 */
final class ShareDeadLetters {
    /** One record on its way to {@code topic}. */
    record Letter(
            ConsumerRecord<byte[], byte[]> record,
            String topic,
            DeadLetterReason reason,
            Throwable error,
            int attempts) {}

    private final Producer<byte[], byte[]> producer;
    private final Map<String, String> topics;
    private final String suffix;
    private final Duration timeout;

    ShareDeadLetters(Producer<byte[], byte[]> producer, Map<String, String> topics, String suffix, Duration timeout) {
        this.producer = producer;
        this.topics = Map.copyOf(topics);
        this.suffix = suffix;
        this.timeout = timeout;
    }

    /** The dead-letter topic of {@code topic}: the configured one, else the topic's name plus the suffix. */
    String topicFor(String topic) {
        return topics.getOrDefault(topic, topic + suffix);
    }

    /**
     * Publishes all of {@code letters} or throws.
     *
     * @throws Exception if a send failed or was not acknowledged in time; some letters may have been published
     *     then, so dead letters are at least once
     */
    void publish(List<Letter> letters) throws Exception {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(letters.size());
        for (Letter letter : letters) {
            records.add(DeadLetterRecords.of(
                    letter.record(), letter.topic(), letter.reason(), letter.error(), letter.attempts()));
        }
        DeadLetterRecords.sendAll(producer, records, timeout);
    }
}
