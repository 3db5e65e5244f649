package io.dedup;

/** dedup was configured inconsistently, for example two store modules on the classpath with none selected. */
public class DedupConfigurationException extends DedupException {
    private static final long serialVersionUID = 1L;

    public DedupConfigurationException(String message) {
        super(message);
    }

    public DedupConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
