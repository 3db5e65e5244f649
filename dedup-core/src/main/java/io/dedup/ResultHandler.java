package io.dedup;

/**
 * A handler that returns a result (an RPC reply, a computed value) which dedup can store as the key's outcome
 * and give back to duplicates. The result is encoded by the {@link OutcomeCodec} given with it.
 *
 * <p>Thread-safety as for {@link MessageHandler}.
 */
@FunctionalInterface
public interface ResultHandler<M, R> {
    /**
     * Handles one message and returns what duplicates should receive (null for nothing).
     *
     * @throws Exception whatever the application's handler throws
     */
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
