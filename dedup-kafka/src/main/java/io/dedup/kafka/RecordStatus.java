package io.dedup.kafka;

/**
 * What became of one consumed record; {@link #isDone()} says whether its offset may be committed past. Immutable, as
 * enums are.
 */
public enum RecordStatus {
    /** The handler ran under a claim and the store recorded the key as completed. */
    PROCESSED(true),
    /** The key completed earlier: the handler did not run. */
    DUPLICATE(true),
    /** The store was unavailable and the handler ran without a claim (fail-open only). */
    UNGUARDED(true),
    /** The record was published to its dead-letter topic. */
    DEAD_LETTERED(true),
    /** The key is in progress elsewhere (or our lease was taken over): retry the record after a back-off. */
    DEFERRED(false),
    /** The handler failed and has attempts left: retry the record after a back-off. */
    RETRY(false),
    /** The handler was not started: an earlier record of its partition is not done, or the partition was revoked. */
    NOT_STARTED(false),
    /** The store could not be reached: back off and retry. */
    STORE_UNAVAILABLE(false),
    /** The record should be dead-lettered, but publishing failed or no publisher is configured. */
    DEAD_LETTER_PENDING(false),
    /** The transaction holding the record's effects could not commit (runner's transactional modes). */
    TRANSACTION_FAILED(false);

    private final boolean done;

    RecordStatus(boolean done) {
        this.done = done;
    }

    /** Whether the record is finished with, so the committed offset may move past it. */
    public boolean isDone() {
        return done;
    }
}
