package io.dedup.kafka;

import java.util.List;

/**
 * Publishes dead letters. A record's offset moves past it only once {@link #publish} returned normally, so an
 * implementation must not return before its dead letters are durable (for Kafka: acknowledged by the broker).
 * {@link KafkaDeadLetterPublisher} is the standard one. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface DeadLetterPublisher {
    /**
     * Publishes all of {@code deadLetters}, or throws. After a failure some may have been published; they are
     * published again on the next attempt (dead letters are at least once).
     *
     * @throws Exception if any could not be published; the records are then retried after a back-off
     */
    void publish(List<DeadLetter> deadLetters) throws Exception;
}
