package io.dedup.kafka;

import io.dedup.DeadLetterReason;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * What became of one record of a poll. Immutable and thread-safe.
 *
 * @param partition the record's topic and partition
 * @param offset the record's offset
 * @param status what became of it
 * @param deadLetterReason why it was (or is to be) dead-lettered, when it was
 * @param error the handler's or the store's last exception, when there was one
 */
public record RecordOutcome(
        TopicPartition partition,
        long offset,
        RecordStatus status,
        Optional<DeadLetterReason> deadLetterReason,
        Optional<Throwable> error) {
    public RecordOutcome {
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(deadLetterReason, "deadLetterReason");
        Objects.requireNonNull(error, "error");
    }
}
