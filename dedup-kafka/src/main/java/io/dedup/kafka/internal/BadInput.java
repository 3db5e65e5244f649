package io.dedup.kafka.internal;

import io.dedup.DeadLetterReason;
import io.dedup.DedupException;
import io.dedup.DedupStoreCorruptionException;
import io.dedup.IdempotencyKeyMissingException;
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

    /**
     * The dead-letter reason of a key core rejected: missing, a stored record that cannot be read, or else
     * unreadable. The classic and the share runner use the same words, so one dead-letter topic can take both.
     */
    public static DeadLetterReason reasonFor(DedupException rejection) {
        if (rejection instanceof IdempotencyKeyMissingException) {
            return DeadLetterReason.KEY_MISSING;
        }
        if (rejection instanceof DedupStoreCorruptionException) {
            return DeadLetterReason.STORE_RECORD_CORRUPT;
        }
        return DeadLetterReason.KEY_UNREADABLE;
    }
}
