package io.dedup;

/**
 * A handler of messages of type {@code M}: the shape applications already have. Checked exceptions are allowed
 * and pass through {@link DedupConsumer}'s wrapper unchanged.
 *
 * <p>Dedup calls it from the consumer's threads (a batch's entries may run on several at once); it needs to be
 * thread-safe only if the application runs it so.
 */
@FunctionalInterface
public interface MessageHandler<M> {
    /**
     * Handles one message. A throw releases the key (or marks it failed on the final attempt); an {@code Error} is
     * rethrown unchanged after the batch's finished work is recorded.
     *
     * @throws Exception whatever the application's handler throws
     */
    void handle(M message) throws Exception;
}
