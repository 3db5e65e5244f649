package io.dedup;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A batch of messages whose keys were claimed in one round trip to the store, for callers that run the handlers
 * themselves: on their own threads, inside a transaction, or not at all. Get one from {@link
 * DedupConsumer#claimAll(List)} (leased), {@link DedupConsumer#claimAllForCommit(List)} (the work commits in a
 * transaction of the caller's, such as a Kafka producer's) or {@link DedupConsumer#claimAll(List,
 * io.dedup.spi.StoreTransaction)} (the claims, the work and the completions share one store transaction).
 *
 * <pre>{@code
 * try (ClaimedBatch<Order> batch = dedup.claimAll(orders)) {
 *     for (ClaimedBatch.Entry<Order> entry : batch.entries()) {
 *         if (entry.mayRun()) {
 *             batch.run(entry, order -> ship(order), OutcomeCodecs.none());
 *         }
 *     }
 * } // completions recorded, anything not run released
 * }</pre>
 *
 * <p>While the batch is open core renews the lease of every key it holds (one renewal call per interval for the
 * whole batch), counts metrics and confirms retried completions. {@link #close()} settles what is left: a leased
 * batch records the completions of the handlers that finished and releases the keys of those that never started; a
 * batch for commit that was not committed releases every key it holds (the work it did was rolled back by the
 * caller's transaction); a store-transaction batch that was not committed rolls its transaction back.
 *
 * <p><b>Errors.</b> A handler that throws an {@link Error} (an {@code AssertionError}, a {@code StackOverflowError})
 * has its key released and the {@code Error} rethrown unchanged from {@link #run}; the handlers that finished before
 * it keep their work, because {@code close()} (in a try-with-resources block) records their completions before the
 * {@code Error} travels on. In a transactional batch the transaction is not committed, so nothing of it is kept.
 *
 * <p>Thread-safe: {@link #run} may be called for different entries from different threads; each entry runs at most
 * once.
 *
 * @param <M> the message type
 */
public interface ClaimedBatch<M> extends AutoCloseable {
    /** One entry per message, in the order they were given. */
    List<Entry<M>> entries();

    /**
     * Runs {@code handler} for an entry that {@link Entry#mayRun() may run}, under its claim ({@link
     * Claim#current()} is set, the handler attempts configured on the consumer apply). Returns the entry's result as
     * far as it is known: {@link DedupResult.Failed} when the handler failed (the key was released, or marked failed
     * when {@code finalAttempt} and the policy says so), {@link DedupResult.Unguarded} under fail-open, {@link
     * DedupResult.Fenced} when the lease was lost before the handler started; null when the handler finished and its
     * completion awaits {@link #complete()}, {@link #commit} or {@link #close()}.
     *
     * @throws IllegalStateException if the entry may not run (see {@link Entry#mayRun()}) or the batch is closed
     * @throws Error whatever {@code Error} the handler threw, unchanged, after its key was released
     */
    <R> DedupResult<R> run(
            Entry<M> entry,
            ResultHandler<? super M, ? extends R> handler,
            OutcomeCodec<? super R> codec,
            boolean finalAttempt);

    /** {@link #run(Entry, ResultHandler, OutcomeCodec, boolean)} as a final attempt. */
    default <R> DedupResult<R> run(
            Entry<M> entry, ResultHandler<? super M, ? extends R> handler, OutcomeCodec<? super R> codec) {
        return run(entry, handler, codec, true);
    }

    /**
     * Gives an acquired entry's key back without running it (its partition was revoked, an earlier record must go
     * first): its result becomes {@link DedupResult.Released}. The key is released when the batch completes or
     * closes. Does nothing for an entry that is not acquired.
     */
    void skip(Entry<M> entry);

    /**
     * Leased batches: records the completions of the handlers that finished since the last call, in one round trip,
     * and settles their results ({@link DedupResult.Processed}, or {@link DedupResult.Fenced} when the lease was
     * taken over, or {@link DedupResult.Unavailable} when the store did not answer: core then keeps the completion
     * and writes it in the background as soon as the store answers).
     *
     * @throws IllegalStateException for a transactional batch (use {@link #commit})
     */
    void complete();

    /**
     * Transactional batches: commits what ran. For a batch for commit, checks that no finished entry lost its lease
     * (then {@link LeaseLostException}: the caller must abort its transaction), runs {@code commit} (the caller's
     * transaction commit), then records the completions. For a store-transaction batch, completes the finished keys
     * and releases the others within the transaction, runs {@code commit} (for example to save positions in it),
     * then commits the store transaction. Entries not run are released.
     *
     * @throws LeaseLostException if a finished entry's lease was taken over (nothing was committed)
     * @throws Exception whatever {@code commit} or the store transaction threw; the batch is then not committed and
     *     {@link #close()} gives every key back
     * @throws IllegalStateException for a leased batch
     */
    void commit(Commit commit) throws Exception;

    /**
     * For a commit whose outcome is unknown (the caller's commit timed out: it may have taken effect or not): leaves
     * every key whose handler finished held, as it is, until its lease lapses, and stops renewing it. Releasing it
     * would let a redelivery run the work again at once although it may have committed; completing it would lose the
     * message if it did not. Their results become {@link DedupResult.Unavailable} with {@code handlerRan}; keys not
     * started are released as usual by {@link #close()}.
     */
    void abandon();

    /** The results so far, one per message; an entry not yet settled has null. All are set after {@link #close()}. */
    List<DedupResult<?>> results();

    /** Settles everything left, as described above. Idempotent; never throws a store failure. */
    @Override
    void close();

    /** The caller's part of a commit; see {@link ClaimedBatch#commit}. */
    @FunctionalInterface
    interface Commit {
        void run() throws Exception;
    }

    /**
     * What the claim said about one message. Not thread-safe to change, safe to read: its state is set by the batch.
     *
     * @param <M> the message type
     */
    interface Entry<M> {
        /** Its position in the batch. */
        int index();

        M message();

        /** The key it was claimed under; empty when the message had none (it is then {@link DedupResult.Rejected}). */
        Optional<DedupKey> key();

        /** The claim, when its key was acquired. */
        Optional<Claim> claim();

        /**
         * Whether {@link ClaimedBatch#run} may be called: the key was acquired (and the lease is not known lost)
         * and the entry has not run, or the store was unavailable under fail-open (it then runs unguarded).
         */
        boolean mayRun();

        /**
         * When the same key came earlier in the batch: that entry's index. A repeat is settled by its first: a
         * {@link DedupResult.Duplicate} when the first was processed, otherwise {@link DedupResult.Released}.
         */
        OptionalInt repeatOf();

        /** Its result, or null until it is settled. */
        DedupResult<?> result();
    }
}
