package io.dedup;

/**
 * A handler that returns a result (an RPC reply, a computed value) which dedup can store as the key's outcome
 * and give back to duplicates.
 */
@FunctionalInterface
public interface ResultHandler<M, R> {
    R handle(M message) throws Exception;

    /** Adapts a {@link MessageHandler}; the result is always null. */
    static <M> ResultHandler<M, Void> of(MessageHandler<? super M> handler) {
        java.util.Objects.requireNonNull(handler, "handler");
        return message -> {
            handler.handle(message);
            return null;
        };
    }
}
