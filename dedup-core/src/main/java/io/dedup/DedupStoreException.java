package io.dedup;

/** A processed-keys store could not answer correctly. Subtypes say whether to back off or to dead-letter. */
public class DedupStoreException extends DedupException {
    private static final long serialVersionUID = 1L;

    public DedupStoreException(String message) {
        super(message);
    }

    public DedupStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
