package io.dedup.jdbc;

/**
 * A message handler for the transactional mode: it writes its effects through {@link
 * TransactionContext#connection()}, inside the transaction that also claims and completes the message's key.
 * Throwing rolls the effects and the claim back together.
 *
 * @param <M> the message type
 */
@FunctionalInterface
public interface TransactionalHandler<M> {
    void handle(M message, TransactionContext context) throws Exception;
}
