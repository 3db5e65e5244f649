package io.dedup;

/**
 * dedup was configured inconsistently, for example two store modules on the classpath with none selected, or a
 * store provider's setting that cannot be read. Thrown when a consumer or store is built, never while messages flow:
 * fix the configuration and start again.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class DedupConfigurationException extends DedupException {
    private static final long serialVersionUID = 1L;

    /** @param message which setting or module is at fault, and what would be accepted */
    public DedupConfigurationException(String message) {
        super(message);
    }

    /**
     * @param message which setting or module is at fault
     * @param cause the parse or lookup failure behind it
     */
    public DedupConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
