package io.dedup;

/**
 * What an adapter does with a message after dedup decided about it.
 *
 * <p>Immutable and thread-safe (an enum).
 */
public enum Disposition {
    /** Ack the delivery / commit past the record: it is done (processed, duplicate, or run unguarded). */
    ACK,
    /** Neither ack nor drop: try the message again later (its key is held elsewhere or our lease was lost). */
    DEFER,
    /** The handler failed: apply the adapter's retry policy, then the dead-letter path. */
    RETRY_OR_DEAD_LETTER,
    /** Bad input or a key conflict: send to the dead-letter path with the reason, then ack. */
    DEAD_LETTER,
    /** The store is unavailable: stop taking messages, back off, retry; do not ack. */
    BACK_OFF
}
