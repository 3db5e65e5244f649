package io.dedup;

/**
 * A processed-keys store could not answer correctly. Subtypes say whether to back off ({@link
 * DedupStoreUnavailableException}) or to dead-letter the one message concerned ({@link
 * DedupStoreCorruptionException}); stores throw only those two, so this class is abstract: catch it to handle
 * every store failure alike.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public abstract class DedupStoreException extends DedupException {
    private static final long serialVersionUID = 1L;

    /** @param message what the store failed to do */
    protected DedupStoreException(String message) {
        super(message);
    }

    /**
     * @param message what the store failed to do
     * @param cause the client's or driver's exception
     */
    protected DedupStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
