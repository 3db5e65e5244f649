package io.dedup.jdbc;

/**
 * A message handler for the transactional mode: it writes its effects through {@link
 * TransactionContext#connection()}, inside the transaction that also claims and completes the message's key.
 * Throwing rolls the effects and the claim back together.
 *
 * <p>{@link TransactionalDedup} calls it on the caller's thread, one message at a time; an implementation used by
 * several consumers at once must be thread-safe itself.
 *
 * @param <M> the message type
 */
@FunctionalInterface
public interface TransactionalHandler<M> {
    /**
     * Makes {@code message}'s effects through {@code context}'s connection.
     *
     * @throws Exception anything: the transaction is rolled back and the message's result says it failed (an
     *     {@link Error} is rethrown after the rollback)
     */
    void handle(M message, TransactionContext context) throws Exception;
}
