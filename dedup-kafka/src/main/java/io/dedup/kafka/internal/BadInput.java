package io.dedup.kafka.internal;

import io.dedup.DeadLetterReason;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A record rejected before any claim, or a key the store rejected: why (the dead-letter reason), and the exception
 * that said so if any. Immutable.
 *
 * @param reason the dead-letter reason
 * @param error what said so, or null
 */
public record BadInput(DeadLetterReason reason, Exception error) {
    /** A tombstone (null value) is bad input: there is nothing to handle. Null when {@code record} is fine. */
    public static BadInput tombstone(ConsumerRecord<?, ?> record) {
        return record.value() == null ? new BadInput(DeadLetterReason.TOMBSTONE, null) : null;
    }
}
