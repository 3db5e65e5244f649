package io.dedup;

/**
 * Base of every exception dedup throws. Unchecked: callers catch the specific subtypes they can act on. Its
 * messages name the key, namespace or message they concern (by the application's describer), never a payload.
 *
 * <p>Immutable once thrown, like every exception of dedup.
 */
public class DedupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, naming what it concerns */
    public DedupException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, naming what it concerns
     * @param cause the failure underneath, or the {@code Error} a handler threw (wrapped to be reported, never
     *     swallowed)
     */
    public DedupException(String message, Throwable cause) {
        super(message, cause);
    }
}
