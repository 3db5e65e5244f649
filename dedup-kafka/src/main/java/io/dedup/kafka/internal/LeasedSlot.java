package io.dedup.kafka.internal;

import io.dedup.DeadLetterReason;
import io.dedup.DedupResult;
import io.dedup.kafka.RecordStatus;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * What is known about one record of a leased batch, filled in as the batch goes: first a dead letter owed for bad
 * input, then the claim's result and status, then whether its dead letter went out. A plain mutable holder, because
 * the batch, its result classification and its dead letters work on the same array of slots.
 *
 * <p>Not thread-safe: one batch, one thread.
 */
final class LeasedSlot {
    final ConsumerRecord<?, ?> record;
    final TopicPartition partition;
    /** Null until decided; a slot with a dead-letter reason and no status still owes its dead letter. */
    RecordStatus status;
    /** Why the record is to be dead-lettered, or null. */
    DeadLetterReason deadLetterReason;
    /** The handler's failure, the store's, or why the record is bad input; null when there was none. */
    Throwable error;
    /** How often the handler failed, for the dead letter's attempts header. */
    int attempts;
    /** How long the partition waits before the record is tried again (retry or deferral), or null. */
    Duration delay;
    /** Core's result for the record, once its batch closed. */
    DedupResult<?> result;

    LeasedSlot(ConsumerRecord<?, ?> record, TopicPartition partition) {
        this.record = record;
        this.partition = partition;
    }

    /** Whether a dead letter is owed and not yet decided on (published, held back, or pending). */
    boolean awaitsDeadLetter() {
        return status == null && deadLetterReason != null;
    }

    /** The record is to be dead-lettered for {@code reason}; its status is set once the dead letter went out. */
    void deadLetter(DeadLetterReason reason, Throwable error, int attempts) {
        this.deadLetterReason = reason;
        this.error = error;
        this.attempts = attempts;
    }
}
