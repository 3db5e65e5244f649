package io.dedup;

/**
 * The place the key should be read from exists but cannot be read: malformed JSON, a non-scalar JSON node, and so on.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class IdempotencyKeyUnreadableException extends IdempotencyKeyException {
    private static final long serialVersionUID = 1L;

    /** @param message what could not be read, in which message */
    public IdempotencyKeyUnreadableException(String message) {
        super(message);
    }

    /**
     * @param message what could not be read, in which message
     * @param cause the parser's exception
     */
    public IdempotencyKeyUnreadableException(String message, Throwable cause) {
        super(message, cause);
    }
}
