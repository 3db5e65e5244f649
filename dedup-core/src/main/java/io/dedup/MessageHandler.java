package io.dedup;

/**
 * A handler of messages of type {@code M}: the shape applications already have. Checked exceptions are allowed
 * and pass through {@link DedupConsumer}'s wrapper unchanged.
 */
@FunctionalInterface
public interface MessageHandler<M> {
    void handle(M message) throws Exception;
}
