package io.dedup;

/**
 * Base of every exception dedup throws. Unchecked: callers catch the specific subtypes they can act on.
 */
public class DedupException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DedupException(String message) {
        super(message);
    }

    public DedupException(String message, Throwable cause) {
        super(message, cause);
    }
}
