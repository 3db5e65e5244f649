package io.dedup;

import java.util.Objects;

/**
 * The key was already used for a message with a different payload fingerprint. Thrown by wrapped handlers;
 * the message belongs on the dead-letter path.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class IdempotencyConflictException extends DedupException {
    private static final long serialVersionUID = 1L;
    private final DedupKey key;

    /** @param key the key used twice for different payloads */
    public IdempotencyConflictException(DedupKey key) {
        super("key " + Objects.requireNonNull(key, "key") + " was already used for a different payload");
        this.key = key;
    }

    /** The key used twice for different payloads. */
    public DedupKey key() {
        return key;
    }
}
