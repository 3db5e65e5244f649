package io.dedup;

/** The message carries no idempotency key where the configured extractor looks for one (or the key is empty). */
public class IdempotencyKeyMissingException extends IdempotencyKeyException {
    private static final long serialVersionUID = 1L;

    public IdempotencyKeyMissingException(String message) {
        super(message);
    }
}
