package io.dedup;

/**
 * A processed-keys store could not answer correctly. Subtypes say whether to back off ({@link
 * DedupStoreUnavailableException}) or to dead-letter the one message concerned ({@link
 * DedupStoreCorruptionException}); stores throw only those two.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class DedupStoreException extends DedupException {
    private static final long serialVersionUID = 1L;

    /** @param message what the store failed to do */
    public DedupStoreException(String message) {
        super(message);
    }

    /**
     * @param message what the store failed to do
     * @param cause the client's or driver's exception
     */
    public DedupStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
