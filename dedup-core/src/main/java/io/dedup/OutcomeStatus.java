package io.dedup;

/**
 * How a completed key ended, stored with its outcome so that a duplicate learns whether the first delivery succeeded
 * or was given up on.
 *
 * <p>Immutable and thread-safe (an enum).
 */
public enum OutcomeStatus {
    /** The handler succeeded. */
    SUCCEEDED,
    /** The handler failed for the last time and the failure policy marked the key failed rather than releasing it. */
    FAILED
}
