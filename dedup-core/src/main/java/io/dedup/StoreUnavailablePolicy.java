package io.dedup;

/**
 * What to do when the store cannot be reached to claim a key. Fail-closed keeps the guarantee and costs
 * availability; fail-open keeps consuming and gives the guarantee up for the messages of the outage, which is why it
 * must be chosen explicitly.
 *
 * <p>Immutable and thread-safe (an enum).
 */
public enum StoreUnavailablePolicy {
    /** Never run a handler without a claim: report the outage so the adapter stops, backs off and resumes. The default. */
    FAIL_CLOSED,
    /** Run the handler unguarded (it may run twice for a key), counting and logging every such message. */
    FAIL_OPEN
}
