package io.dedup;

/**
 * The message carries no idempotency key where the configured extractor looks for one, or the key is empty. An
 * empty key counts as missing because every message without one would otherwise share it, and all but the first
 * would be dropped as duplicates.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class IdempotencyKeyMissingException extends IdempotencyKeyException {
    private static final long serialVersionUID = 1L;

    /** @param message where the key was looked for, in which message */
    public IdempotencyKeyMissingException(String message) {
        super(message);
    }
}
