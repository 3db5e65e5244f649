package io.dedup;

/**
 * What happens to a key when its handler fails for the last time (earlier failures always release it, so that a
 * redelivery retries). The message itself takes the adapter's dead-letter path either way.
 *
 * <p>Immutable and thread-safe (an enum).
 */
public enum FailurePolicy {
    /** Release the key: a redelivery claims it again and the handler runs again. The default. */
    RELEASE,
    /**
     * Complete the key with a {@link OutcomeStatus#FAILED} outcome: redeliveries within retention are answered as
     * duplicates (with that outcome) and the handler does not run again.
     */
    MARK_FAILED
}
