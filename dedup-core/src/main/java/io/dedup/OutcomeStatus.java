package io.dedup;

/** How a completed key ended. */
public enum OutcomeStatus {
    /** The handler succeeded. */
    SUCCEEDED,
    /** The handler failed for the last time and the failure policy marked the key failed rather than releasing it. */
    FAILED
}
