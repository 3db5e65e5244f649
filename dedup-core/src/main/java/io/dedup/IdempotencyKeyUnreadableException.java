package io.dedup;

/** The place the key should be read from exists but cannot be read: malformed JSON, a non-scalar JSON node, and so on. */
public class IdempotencyKeyUnreadableException extends IdempotencyKeyException {
    private static final long serialVersionUID = 1L;

    public IdempotencyKeyUnreadableException(String message) {
        super(message);
    }

    public IdempotencyKeyUnreadableException(String message, Throwable cause) {
        super(message, cause);
    }
}
