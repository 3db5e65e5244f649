package io.dedup;

import java.util.Objects;

/** The store holds a record for {@link #key()} that cannot be read. The message concerned goes to the dead-letter path. */
public class DedupStoreCorruptionException extends DedupStoreException {
    private static final long serialVersionUID = 1L;
    private final DedupKey key;

    public DedupStoreCorruptionException(DedupKey key, String reason) {
        super("unreadable record for " + Objects.requireNonNull(key, "key") + ": " + reason);
        this.key = key;
    }

    public DedupStoreCorruptionException(DedupKey key, String reason, Throwable cause) {
        super("unreadable record for " + Objects.requireNonNull(key, "key") + ": " + reason, cause);
        this.key = key;
    }

    /** The key whose record is unreadable. */
    public DedupKey key() {
        return key;
    }
}
