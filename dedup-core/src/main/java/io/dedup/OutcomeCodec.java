package io.dedup;

/**
 * Turns a handler's result into the bytes stored as the key's outcome and back. Implementations must be
 * thread-safe. dedup never uses Java serialization: see {@link OutcomeCodecs}.
 */
public interface OutcomeCodec<R> {
    /** @throws RuntimeException if the result cannot be encoded; the handler's run then counts as failed */
    byte[] encode(R result);

    /** @throws RuntimeException if the bytes cannot be decoded */
    R decode(byte[] bytes);
}
