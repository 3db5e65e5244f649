package io.dedup;

/**
 * A message's idempotency key could not be obtained. The message is bad input: it goes to the dead-letter path
 * with this exception's message as the reason, and is never silently dropped. Abstract: what is thrown says why,
 * {@link IdempotencyKeyMissingException} or {@link IdempotencyKeyUnreadableException}.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public abstract class IdempotencyKeyException extends DedupException {
    private static final long serialVersionUID = 1L;

    /** @param message where the key was looked for, in which message (never the payload) */
    protected IdempotencyKeyException(String message) {
        super(message);
    }

    /**
     * @param message where the key was looked for, in which message
     * @param cause the parse failure, for example of the JSON body
     */
    protected IdempotencyKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
