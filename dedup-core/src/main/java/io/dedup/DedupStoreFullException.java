package io.dedup;

/**
 * A bounded store (the in-memory store with a maximum size) refused a new claim because it is full of live
 * records. It refuses rather than forgetting completed keys, which would turn duplicates into re-runs. It is
 * a kind of unavailability: adapters back off until retention frees room.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class DedupStoreFullException extends DedupStoreUnavailableException {
    private static final long serialVersionUID = 1L;

    /** @param message the store's bound, and that new keys wait for retention to free room */
    public DedupStoreFullException(String message) {
        super(message);
    }
}
