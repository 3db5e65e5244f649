package io.dedup.spi;

import io.dedup.DedupKey;
import io.dedup.DedupStoreCorruptionException;
import io.dedup.DedupStoreException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A processed-keys store: the only place dedup keeps state. Implementations must be thread-safe.
 *
 * <p>The record of a key moves: absent &rarr; IN_PROGRESS(token, lease) &rarr; COMPLETED(outcome, retention)
 * &rarr; absent; IN_PROGRESS &rarr; RELEASED on release; IN_PROGRESS(token) &rarr; IN_PROGRESS(higher token) on
 * takeover of a lapsed lease. Every write sets the record's expiry in the same atomic step, judged by the store's
 * clock. Tokens strictly increase per key and never repeat while an older holder may still be alive.
 *
 * <p>Single-key methods throw {@link io.dedup.DedupStoreUnavailableException} when the store cannot answer and
 * never return {@link ClaimResult.Failed} or {@link WriteResult.Failed}; batch methods may answer per key with
 * those when only some keys could not be answered. No method ever guesses "acquired" or "duplicate".
 */
public interface DedupStore extends AutoCloseable {
    /**
     * Claims one key atomically: acquires it when absent, released or its lease lapsed (with a token higher than
     * any handed out for the key before), or says why not.
     *
     * @throws io.dedup.DedupStoreUnavailableException if the store cannot answer
     * @throws io.dedup.DedupStoreCorruptionException if the key's record cannot be read
     */
    ClaimResult claim(ClaimRequest request);

    /**
     * Claims a batch; the answer lists one result per request, in order, exactly as if {@link #claim} had been
     * called for each in turn (so a key repeated in the batch is acquired once and then in progress). Batch
     * stores override this to use one round trip; the default loops.
     *
     * @throws io.dedup.DedupStoreUnavailableException if the store cannot answer for any key
     */
    default List<ClaimResult> claimAll(List<ClaimRequest> requests) {
        return oneByOne(requests, this::claim, (request, e) -> new ClaimResult.Failed(request.key(), e));
    }

    /**
     * Completes a held key with its outcome, if the token is current.
     *
     * @return {@link WriteResult#APPLIED}, or {@link WriteResult#FENCED} when the token is stale or the key is
     *     not held
     * @throws io.dedup.DedupStoreUnavailableException if the store cannot answer
     */
    WriteResult complete(Completion completion);

    /**
     * Completes a batch; one result per completion, in order. The default loops; batch stores use one round trip.
     *
     * @throws io.dedup.DedupStoreUnavailableException if the store cannot answer for any key
     */
    default List<WriteResult> completeAll(List<Completion> completions) {
        return oneByOne(completions, this::complete, (completion, e) -> new WriteResult.Failed(e));
    }

    /**
     * Extends the lease of a held key to {@code lease} from the store's now, if the token is current.
     *
     * @throws io.dedup.DedupStoreUnavailableException if the store cannot answer
     */
    WriteResult renew(DedupKey key, long token, Duration lease);

    /**
     * Extends the leases of several held keys to {@code lease} from the store's now: one result per claim, in order,
     * as if {@link #renew} had been called for each. Core renews every lease a batch holds with one call per
     * interval; batch stores override this to use one round trip, the default loops.
     *
     * @throws io.dedup.DedupStoreUnavailableException if the store cannot answer for any key
     */
    default List<WriteResult> renewAll(List<io.dedup.Claim> claims, Duration lease) {
        return oneByOne(
                claims, claim -> renew(claim.key(), claim.token(), lease), (claim, e) -> new WriteResult.Failed(e));
    }

    /**
     * Gives a held key back (its handler failed) so that the next claim acquires it. The record keeps its token
     * for {@code retention}, so that tokens never repeat for the key.
     *
     * @throws io.dedup.DedupStoreUnavailableException if the store cannot answer
     */
    WriteResult release(DedupKey key, long token, Duration retention);

    /**
     * The live record of a key, for inspection; empty when absent or expired.
     *
     * @throws io.dedup.DedupStoreUnavailableException if the store cannot answer
     * @throws io.dedup.DedupStoreCorruptionException if the record cannot be read
     */
    Optional<StoredRecord> find(DedupKey key);

    /** An optional capability such as {@link ExpiredEntriesPurger}, if this store has it. */
    default <T> Optional<T> capability(Class<T> type) {
        return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
    }

    /** A short description for logs and errors; never contains credentials. */
    default String describe() {
        return getClass().getSimpleName();
    }

    /** Releases the store's resources (connections it created). Does not delete any record. */
    @Override
    default void close() {}

    /**
     * For implementations, and how the default batch methods answer: one call per item, in order. A record that cannot
     * be read fails its own entry ({@code failed}), not the batch; an unavailable store fails the whole call. Public
     * for stores that answer batches one key at a time but cannot reach these defaults (a forwarding store whose
     * delegate batches, say).
     *
     * @param one answers one item; may throw {@link io.dedup.DedupStoreUnavailableException}, which ends the call
     * @param failed the answer for an item whose record could not be read
     * @throws io.dedup.DedupStoreUnavailableException if {@code one} threw it for any item
     */
    static <I, R> List<R> oneByOne(
            List<I> items, Function<I, R> one, BiFunction<I, DedupStoreCorruptionException, R> failed) {
        List<R> results = new ArrayList<>(items.size());
        for (I item : items) {
            try {
                results.add(one.apply(item));
            } catch (DedupStoreCorruptionException e) {
                results.add(failed.apply(item, e));
            }
        }
        return results;
    }

    /** For implementations: a store failure to report for one key of a batch. */
    static ClaimResult failed(DedupKey key, DedupStoreException cause) {
        return new ClaimResult.Failed(key, cause);
    }
}
