package io.dedup;

import java.util.Objects;

/**
 * The handler ran but its claim had been taken over by another worker (its fencing token is no longer current),
 * so its completion was refused. Thrown by wrapped handlers. Do not ack: the current holder completes the key and
 * the redelivery of this message will be answered as a duplicate.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class LeaseLostException extends DedupException {
    private static final long serialVersionUID = 1L;
    private final DedupKey key;
    private final long token;

    /**
     * @param key the key whose claim was taken over
     * @param token this worker's fencing token, no longer the current one
     */
    public LeaseLostException(DedupKey key, long token) {
        super("lease on " + Objects.requireNonNull(key, "key") + " with token " + token + " was taken over");
        this.key = key;
        this.token = token;
    }

    /** The key whose claim was taken over. */
    public DedupKey key() {
        return key;
    }

    /** The stale fencing token: a downstream system that checks tokens refuses writes carrying it. */
    public long token() {
        return token;
    }
}
