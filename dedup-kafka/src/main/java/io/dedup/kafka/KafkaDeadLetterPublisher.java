package io.dedup.kafka;

import io.dedup.kafka.internal.DeadLetterRecords;
import io.dedup.spi.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

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
        return new KafkaDeadLetterPublisher((Producer<Object, Object>) producer, Checks.positive(timeout, "timeout"));
    }

    /**
     * Sends every dead letter, then waits for all acknowledgements together, up to the timeout.
     *
     * @throws Exception the first send that failed or timed out; earlier ones may have been published
     */
    @Override
    public void publish(List<DeadLetter> deadLetters) throws Exception {
        List<ProducerRecord<Object, Object>> records = new ArrayList<>(deadLetters.size());
        for (DeadLetter deadLetter : deadLetters) {
            records.add(DeadLetterRecords.of(deadLetter));
        }
        DeadLetterRecords.sendAll(producer, records, timeout);
    }
}
