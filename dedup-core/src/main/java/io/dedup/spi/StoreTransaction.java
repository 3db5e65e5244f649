package io.dedup.spi;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One store transaction: everything done through it commits or rolls back together. Claims taken inside it are
 * invisible to others until commit; a concurrent transaction claiming the same key waits for this one (up to the
 * store's lock timeout) and then sees the key completed, so of two deliveries of one key exactly one commits an
 * effect and the other ends as a duplicate.
 *
 * <p>Not thread-safe: one thread uses a transaction from {@link TransactionalStore#begin()} to {@link #close()}.
 * Every method may throw {@link io.dedup.DedupStoreUnavailableException} (connection lost, lock wait over the
 * timeout); the transaction is then rolled back.
 */
public interface StoreTransaction extends AutoCloseable {
    /** Claims, as {@link DedupStore#claimAll}, within this transaction. */
    List<ClaimResult> claimAll(List<ClaimRequest> requests);

    /** Completes, as {@link DedupStore#completeAll}, within this transaction. */
    List<WriteResult> completeAll(List<Completion> completions);

    /**
     * Gives keys claimed in this transaction back within it, so that committing it leaves them RELEASED (their
     * tokens kept for {@code retention}) rather than held: for records a batch claimed but did not start before it
     * committed what it had run. One result per claim, in order.
     */
    List<WriteResult> releaseAll(List<io.dedup.Claim> claims, Duration retention);

    /** Records consumed positions (e.g. Kafka offsets: the next offset to read) within this transaction. */
    void savePositions(String namespace, List<Position> positions);

    /** The positions last committed for {@code stream} in {@code namespace}: partition to next position. */
    Map<Integer, Long> positions(String namespace, String stream);

    /**
     * A resource of this transaction the handler writes through, e.g. {@code java.sql.Connection}; empty if the
     * store has none of that type. The handler must not commit, roll back or close it.
     */
    <T> Optional<T> resource(Class<T> type);

    /** Commits everything done through this transaction. */
    void commit();

    /** Rolls back everything done through this transaction. */
    void rollback();

    /** Rolls back unless committed, and returns the connection. */
    @Override
    void close();
}
