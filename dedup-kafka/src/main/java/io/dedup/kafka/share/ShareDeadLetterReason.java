package io.dedup.kafka.share;

/**
 * Why a share-group record went to its dead-letter topic: the value of the {@link
 * io.dedup.kafka.DeadLetterHeaders#REASON} header. The names are those of the classic runner's {@link
 * io.dedup.kafka.DeadLetterReason}, plus {@link #DELIVERY_LIMIT}.
 */
public enum ShareDeadLetterReason {
    /** The handler failed on the record's last delivery. */
    HANDLER_FAILED,
    /** The record carries no idempotency key and the offset fallback is off. */
    KEY_MISSING,
    /** The key's place exists but cannot be read (malformed JSON, a non-scalar JSON node, ...). */
    KEY_UNREADABLE,
    /** The key was used before for a different payload (fingerprint checking is on). */
    KEY_CONFLICT,
    /** The record has a null value (a tombstone): there is nothing to handle. */
    TOMBSTONE,
    /** The record's key or value could not be deserialized. */
    DESERIALIZATION_FAILED,
    /** The store holds a record for the key that cannot be read. */
    STORE_RECORD_CORRUPT,
    /**
     * The record reached its last delivery without being handled (its key was held elsewhere, or its work was
     * given back): releasing it now would make the broker archive it unprocessed, so it is kept here instead.
     */
    DELIVERY_LIMIT
}
