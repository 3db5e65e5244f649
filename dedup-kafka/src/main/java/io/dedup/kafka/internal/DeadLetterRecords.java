package io.dedup.kafka.internal;

import io.dedup.DeadLetterReason;
import io.dedup.kafka.DeadLetter;
import io.dedup.kafka.DeadLetterHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The one dead-letter format of dedup-kafka, shared by the classic runner, its transactional-producer mode and the
 * share runner: the original key, value, timestamp and headers, plus the {@link DeadLetterHeaders}. The partition is
 * left to the producer's partitioner (by the original key), so a dead-letter topic may have any number of
 * partitions.
 *
 * <p>Thread-safe: stateless.
 */
public final class DeadLetterRecords {
    private DeadLetterRecords() {}

    /**
     * The record {@code deadLetter} is published as: the classic runner's dead letters, and those of a user's own
     * poll loop through {@code KafkaDeadLetterPublisher}.
     */
    public static ProducerRecord<Object, Object> of(DeadLetter deadLetter) {
        return of(
                deadLetter.record(),
                deadLetter.topic(),
                deadLetter.reason(),
                deadLetter.error().orElse(null),
                deadLetter.attempts());
    }

    /**
     * The record a dead letter of {@code original} is published as: its bytes unchanged (so a record that could not
     * be deserialized keeps its exact bytes), with the reason, the error if any and the attempts in headers. A
     * header of the original with a dedup name is replaced, not repeated, so a dead letter of a dead letter reads
     * unambiguously.
     */
    @SuppressWarnings("unchecked")
    public static <K, V> ProducerRecord<K, V> of(
            ConsumerRecord<?, ?> original, String topic, DeadLetterReason reason, Throwable error, int attempts) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : original.headers()) {
            headers.add(header.key(), header.value());
        }
        put(headers, DeadLetterHeaders.REASON, reason.name());
        if (error != null) {
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
        }
        put(headers, DeadLetterHeaders.ATTEMPTS, Integer.toString(attempts));
        put(headers, DeadLetterHeaders.ORIGINAL_TOPIC, original.topic());
        put(headers, DeadLetterHeaders.ORIGINAL_PARTITION, Integer.toString(original.partition()));
        put(headers, DeadLetterHeaders.ORIGINAL_OFFSET, Long.toString(original.offset()));
        // a negative timestamp means "none"; the producer then stamps the dead letter with the time of sending
        Long timestamp = original.timestamp() >= 0 ? original.timestamp() : null;
        return new ProducerRecord<>(topic, null, timestamp, (K) original.key(), (V) original.value(), headers);
    }

    /**
     * Sends every record and waits, up to {@code timeout} for all of them together, for the broker's
     * acknowledgements.
     *
     * @throws Exception the first send that failed or timed out; the ones before it may have been published, so dead
     *     letters are at least once
     */
    public static <K, V> void sendAll(Producer<K, V> producer, List<ProducerRecord<K, V>> records, Duration timeout)
            throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
        for (ProducerRecord<K, V> record : records) {
            sent.add(producer.send(record));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Future<RecordMetadata> ack : sent) {
            ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /** Sets header {@code name} to {@code value}, replacing any the original record had under that name. */
    private static void put(RecordHeaders headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
    }
}
