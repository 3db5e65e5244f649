package io.dedup.kafka.internal;

import io.dedup.DeadLetterReason;
import io.dedup.DedupResult;
import io.dedup.kafka.RecordStatus;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/** What is known about one record of a leased batch. Not thread-safe: one batch, one thread. */
final class LeasedSlot {
    final ConsumerRecord<?, ?> record;
    final TopicPartition partition;
    RecordStatus status;
    DeadLetterReason deadLetterReason;
    Throwable error;
    int attempts;
    Duration delay;
    DedupResult<?> result;

    LeasedSlot(ConsumerRecord<?, ?> record, TopicPartition partition) {
        this.record = record;
        this.partition = partition;
    }

    boolean awaitsDeadLetter() {
        return status == null && deadLetterReason != null;
    }

    void deadLetter(DeadLetterReason reason, Throwable error, int attempts) {
        this.deadLetterReason = reason;
        this.error = error;
        this.attempts = attempts;
    }
}
