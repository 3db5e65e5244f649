package io.dedup;

import java.util.Objects;

/**
 * Why an adapter dead-lettered a message: one vocabulary for every transport. Its {@link #name()} is the value of
 * the reason header a dead letter carries (Kafka's {@code dedup.dlt.reason}, RabbitMQ's {@code x-dedup-reason}), so
 * one alert rule or dashboard reads both. Adapters log each dead letter at WARN with its reason and source.
 *
 * <p>Immutable and thread-safe.
 */
public enum DeadLetterReason {
    /** The handler failed on its last attempt. */
    HANDLER_FAILED,
    /** The message carries no idempotency key where the key extractor looks for one (an empty key counts as none). */
    KEY_MISSING,
    /** The key's place exists but cannot be read (malformed JSON, a non-scalar JSON node, ...). */
    KEY_UNREADABLE,
    /** The key was used before for a different payload (fingerprint checking is on). */
    KEY_CONFLICT,
    /** The store holds a record for the key that cannot be read. */
    STORE_RECORD_CORRUPT,
    /** Kafka: the record has a null value (a tombstone), so there is nothing to handle. */
    TOMBSTONE,
    /** Kafka: the record's key or value could not be deserialized (the runners read raw bytes). */
    DESERIALIZATION_FAILED,
    /**
     * Kafka share groups: the record reached its last delivery without being handled (its key was held elsewhere,
     * or its work was given back); releasing it now would make the broker archive it unprocessed.
     */
    DELIVERY_LIMIT;

    /**
     * The reason for a message core rejected before any handler ran ({@link DedupResult.Rejected#reason()}): its key
     * missing, its stored record unreadable, or else its key unreadable. Every adapter dead-letters a rejection with
     * this, so one dead-letter destination reads the same words from all of them.
     *
     * @throws NullPointerException if {@code rejection} is null
     */
    public static DeadLetterReason forRejection(DedupException rejection) {
        Objects.requireNonNull(rejection, "rejection");
        if (rejection instanceof IdempotencyKeyMissingException) {
            return KEY_MISSING;
        }
        if (rejection instanceof DedupStoreCorruptionException) {
            return STORE_RECORD_CORRUPT;
        }
        return KEY_UNREADABLE;
    }
}
