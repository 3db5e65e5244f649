package io.dedup;

import java.time.Instant;
import java.util.Objects;

/**
 * Thrown by a handler returned from {@link DedupConsumer#decorate(MessageHandler)} when another worker holds a live
 * lease on the message's key. The message must not be acked or committed: retry it later, when it will be a
 * duplicate (the holder completed) or will be taken over (the holder's lease expired).
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class KeyInProgressException extends DedupException {
    private static final long serialVersionUID = 1L;
    private final DedupKey key;
    private final Instant leaseUntil;

    /**
     * @param key the key another worker holds
     * @param leaseUntil when its lease ends unless renewed: the earliest a retry could take the key over
     */
    public KeyInProgressException(DedupKey key, Instant leaseUntil) {
        super("key " + Objects.requireNonNull(key, "key") + " is in progress elsewhere until " + leaseUntil);
        this.key = key;
        this.leaseUntil = leaseUntil;
    }

    /** The key another worker holds. */
    public DedupKey key() {
        return key;
    }

    /** When the holder's lease ends, by the store's clock. */
    public Instant leaseUntil() {
        return leaseUntil;
    }
}
