package io.dedup.kafka;

/** Why a record went to its dead-letter topic; the value of the {@link DeadLetterHeaders#REASON} header. */
public enum DeadLetterReason {
    /** The handler failed on every attempt. */
    HANDLER_FAILED,
    /** The record carries no idempotency key where the topic's key extractor looks for one. */
    KEY_MISSING,
    /** The key's place exists but cannot be read (malformed JSON, a non-scalar JSON node, ...). */
    KEY_UNREADABLE,
    /** The key was used before for a different payload (fingerprint checking is on). */
    KEY_CONFLICT,
    /** The record has a null value (a tombstone): there is nothing to handle. */
    TOMBSTONE,
    /** The record's key or value could not be deserialized (runner only: it reads raw bytes). */
    DESERIALIZATION_FAILED,
    /** The store holds a record for the key that cannot be read. */
    STORE_RECORD_CORRUPT
}
