package io.dedup.kafka.share;

import io.dedup.DeadLetterReason;
import io.dedup.kafka.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Publishes dead letters in the classic runner's format (the original key, value, timestamp and headers plus the
 * {@link DeadLetterHeaders}) and waits for the broker's acknowledgements, with the classic runner's reason words
 * ({@link DeadLetterReason}).
 * Thread-safe, as Kafka producers are.
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
    private final Function<String, String> topicFor;
    private final Duration timeout;

    ShareDeadLetters(Producer<byte[], byte[]> producer, Map<String, String> topics, String suffix, Duration timeout) {
        this.producer = producer;
        Map<String, String> copy = Map.copyOf(topics);
        this.topicFor = topic -> copy.getOrDefault(topic, topic + suffix);
        this.timeout = timeout;
    }

    String topicFor(String topic) {
        return topicFor.apply(topic);
    }

    /** Publishes all of {@code letters} or throws; some may have been published then (dead letters are at least once). */
    void publish(List<Letter> letters) throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>(letters.size());
        for (Letter letter : letters) {
            sent.add(producer.send(toProducerRecord(letter)));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Future<RecordMetadata> ack : sent) {
            ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    static ProducerRecord<byte[], byte[]> toProducerRecord(Letter letter) {
        ConsumerRecord<byte[], byte[]> original = letter.record();
        RecordHeaders headers = new RecordHeaders();
        for (Header header : original.headers()) {
            headers.add(header.key(), header.value());
        }
        put(headers, DeadLetterHeaders.REASON, letter.reason().name());
        if (letter.error() != null) {
            put(
                    headers,
                    DeadLetterHeaders.EXCEPTION_CLASS,
                    letter.error().getClass().getName());
            String message = letter.error().getMessage();
            if (message != null) {
                put(
                        headers,
                        DeadLetterHeaders.EXCEPTION_MESSAGE,
                        message.length() > DeadLetterHeaders.MAX_MESSAGE_CHARS
                                ? message.substring(0, DeadLetterHeaders.MAX_MESSAGE_CHARS)
                                : message);
            }
        }
        put(headers, DeadLetterHeaders.ATTEMPTS, Integer.toString(letter.attempts()));
        put(headers, DeadLetterHeaders.ORIGINAL_TOPIC, original.topic());
        put(headers, DeadLetterHeaders.ORIGINAL_PARTITION, Integer.toString(original.partition()));
        put(headers, DeadLetterHeaders.ORIGINAL_OFFSET, Long.toString(original.offset()));
        Long timestamp = original.timestamp() >= 0 ? original.timestamp() : null;
        return new ProducerRecord<>(letter.topic(), null, timestamp, original.key(), original.value(), headers);
    }

    private static void put(RecordHeaders headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
