package io.dedup.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Publishes dead letters to Kafka: the original key, value, timestamp and headers, plus the {@link DeadLetterHeaders}.
 * The partition is left to the producer's partitioner (by the original key), so the dead-letter topic may have any
 * number of partitions. Waits for every send to be acknowledged.
 *
 * <p>The producer's serializers must accept the consumed key and value types: with the runner these are the raw
 * {@code byte[]}s (use {@code ByteArraySerializer}), with your own poll loop the types your deserializers produce.
 * Use {@code acks=all}. The producer is not closed by this class.
 *
 * <p>Thread-safe, as Kafka producers are.
 */
public final class KafkaDeadLetterPublisher implements DeadLetterPublisher {
    /** How long {@link #publish} waits for acknowledgements by default. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final Producer<Object, Object> producer;
    private final Duration timeout;

    private KafkaDeadLetterPublisher(Producer<Object, Object> producer, Duration timeout) {
        this.producer = producer;
        this.timeout = timeout;
    }

    /** A publisher over {@code producer}, waiting up to {@link #DEFAULT_TIMEOUT} per batch. */
    public static KafkaDeadLetterPublisher of(Producer<?, ?> producer) {
        return of(producer, DEFAULT_TIMEOUT);
    }

    /**
     * A publisher over {@code producer}, waiting up to {@code timeout} for a batch's acknowledgements.
     *
     * @throws IllegalArgumentException if the timeout is not positive
     */
    @SuppressWarnings("unchecked")
    public static KafkaDeadLetterPublisher of(Producer<?, ?> producer, Duration timeout) {
        Objects.requireNonNull(producer, "producer");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
        return new KafkaDeadLetterPublisher((Producer<Object, Object>) producer, timeout);
    }

    @Override
    public void publish(List<DeadLetter> deadLetters) throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>(deadLetters.size());
        for (DeadLetter deadLetter : deadLetters) {
            sent.add(producer.send(toProducerRecord(deadLetter)));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Future<RecordMetadata> ack : sent) {
            ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /** The record a dead letter is published as; also used by the transactional-producer mode. */
    static ProducerRecord<Object, Object> toProducerRecord(DeadLetter deadLetter) {
        ConsumerRecord<?, ?> original = deadLetter.record();
        RecordHeaders headers = new RecordHeaders();
        for (Header header : original.headers()) {
            headers.add(header.key(), header.value());
        }
        put(headers, DeadLetterHeaders.REASON, deadLetter.reason().name());
        deadLetter.error().ifPresent(error -> {
            put(headers, DeadLetterHeaders.EXCEPTION_CLASS, error.getClass().getName());
            String message = error.getMessage();
            if (message != null) {
                put(
                        headers,
                        DeadLetterHeaders.EXCEPTION_MESSAGE,
                        message.length() > DeadLetterHeaders.MAX_MESSAGE_CHARS
                                ? message.substring(0, DeadLetterHeaders.MAX_MESSAGE_CHARS)
                                : message);
            }
        });
        put(headers, DeadLetterHeaders.ATTEMPTS, Integer.toString(deadLetter.attempts()));
        put(headers, DeadLetterHeaders.ORIGINAL_TOPIC, original.topic());
        put(headers, DeadLetterHeaders.ORIGINAL_PARTITION, Integer.toString(original.partition()));
        put(headers, DeadLetterHeaders.ORIGINAL_OFFSET, Long.toString(original.offset()));
        Long timestamp = original.timestamp() >= 0 ? original.timestamp() : null;
        return new ProducerRecord<>(deadLetter.topic(), null, timestamp, original.key(), original.value(), headers);
    }

    private static void put(RecordHeaders headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
