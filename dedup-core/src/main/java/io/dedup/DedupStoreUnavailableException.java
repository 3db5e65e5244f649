package io.dedup;

/**
 * The store is unreachable, timed out or answered with something unexpected. Nothing was decided about the
 * keys concerned: callers must neither run the handler as if claimed nor treat the message as a duplicate.
 * Adapters answer it by backing off and retrying (fail-closed), or by running unguarded when fail-open was
 * chosen explicitly.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class DedupStoreUnavailableException extends DedupStoreException {
    private static final long serialVersionUID = 1L;

    /** @param message which store failed, and at what (a claim, a completion, a renewal) */
    public DedupStoreUnavailableException(String message) {
        super(message);
    }

    /**
     * @param message which store failed, and at what
     * @param cause the connection, timeout or protocol error underneath
     */
    public DedupStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
