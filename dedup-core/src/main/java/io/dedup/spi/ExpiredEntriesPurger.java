package io.dedup.spi;

/**
 * Optional capability of stores without native expiry (JDBC): delete records whose expiry has passed, in bounded
 * batches so that a purge never holds locks for long. Stores with native TTL (Redis) do not implement it.
 * Reach it with {@code store.capability(ExpiredEntriesPurger.class)}.
 *
 * <p>Implementations are thread-safe: a purge may run while consumers claim.
 */
public interface ExpiredEntriesPurger {
    /**
     * Deletes at most {@code maxEntries} expired records.
     *
     * @return how many were deleted; less than {@code maxEntries} means none are left for now
     * @throws io.dedup.DedupStoreUnavailableException if the store cannot be reached
     */
    int purgeExpired(int maxEntries);
}
