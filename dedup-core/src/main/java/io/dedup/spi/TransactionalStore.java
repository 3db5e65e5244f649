package io.dedup.spi;

/**
 * Optional capability of stores that keep keys in a transactional database (the JDBC store): claims, completions,
 * consumed positions and the handler's own writes commit or roll back together in one {@link StoreTransaction}.
 * This is what makes each key's effect happen exactly once across crashes, rebalances and duplicates, and what
 * lets the Kafka adapter keep its offsets in the database. Reach it with
 * {@code store.capability(TransactionalStore.class)}. Implementations are thread-safe; transactions are not.
 */
public interface TransactionalStore {
    /**
     * Starts a transaction on a connection of the store's own.
     *
     * @throws io.dedup.DedupStoreUnavailableException if the store cannot be reached
     */
    StoreTransaction begin();
}
