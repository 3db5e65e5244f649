package io.dedup.spi;

/**
 * The state of a stored key record (DESIGN §1: absent, IN_PROGRESS, COMPLETED or RELEASED, then absent again when
 * the record expires).
 *
 * <p>Immutable and thread-safe (an enum).
 */
public enum RecordState {
    /** Held by the holder of the current token until the lease ends. A lapsed lease may be taken over. */
    IN_PROGRESS,
    /** Done; duplicates get the stored outcome until retention ends. */
    COMPLETED,
    /** The holder gave the key back (its handler failed); the next claim acquires it with a higher token. */
    RELEASED
}
