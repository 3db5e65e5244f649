package io.dedup.kafka;

import io.dedup.DeadLetterReason;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A record on its way to a dead-letter topic. Immutable; thread-safe as far as the consumed record it carries is.
 *
 * @param record the original record, as consumed (the runner hands over the raw bytes)
 * @param topic the dead-letter topic to publish to
 * @param reason why the record is dead-lettered
 * @param error the last exception, when there was one
 * @param attempts how many times the handler ran for the record and failed (0 for bad input)
 */
public record DeadLetter(
        ConsumerRecord<?, ?> record, String topic, DeadLetterReason reason, Optional<Throwable> error, int attempts) {
    public DeadLetter {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(error, "error");
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must not be negative, got " + attempts);
        }
    }

    /** Topic, partition and offset of the original record, for logs. */
    public String source() {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }
}
