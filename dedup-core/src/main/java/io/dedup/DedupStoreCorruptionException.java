package io.dedup;

import java.util.Objects;

/**
 * The store holds a record for {@link #key()} that cannot be read (a foreign value under dedup's key, a truncated
 * outcome). Only that key is affected, so the message concerned goes to the dead-letter path while the consumer goes
 * on; treating it as an outage would stop every other key behind one bad record.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class DedupStoreCorruptionException extends DedupStoreException {
    private static final long serialVersionUID = 1L;
    private final DedupKey key;

    /**
     * @param key the key whose record is unreadable
     * @param reason what is wrong with it
     */
    public DedupStoreCorruptionException(DedupKey key, String reason) {
        super("unreadable record for " + Objects.requireNonNull(key, "key") + ": " + reason);
        this.key = key;
    }

    /**
     * @param key the key whose record is unreadable
     * @param reason what is wrong with it
     * @param cause the decoding failure
     */
    public DedupStoreCorruptionException(DedupKey key, String reason, Throwable cause) {
        super("unreadable record for " + Objects.requireNonNull(key, "key") + ": " + reason, cause);
        this.key = key;
    }

    /** The key whose record is unreadable. */
    public DedupKey key() {
        return key;
    }
}
