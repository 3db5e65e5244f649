package io.dedup.kafka;

import io.dedup.Claim;

/**
 * What a {@link TransactionalRecordHandler} writes through: the store's transaction, which commits the handler's
 * writes together with the record's claim, its completion and the consumed offsets. Valid only during the call, on
 * the handler's thread.
 *
 * <p>Not thread-safe: confined to the handler's thread for the duration of one call.
 */
public interface RecordTransaction {
    /**
     * A resource of the transaction, e.g. {@code java.sql.Connection} for the JDBC store. Write through it; never
     * commit, roll back or close it.
     *
     * @throws IllegalStateException if the store has no resource of that type
     */
    <T> T resource(Class<T> type);

    /** The claim of the record's key within this transaction. */
    Claim claim();
}
