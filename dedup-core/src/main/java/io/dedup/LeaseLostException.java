package io.dedup;

import java.util.Objects;

/**
 * The handler ran but its claim had been taken over by another worker (its fencing token is no longer current),
 * so its completion was refused. Thrown by wrapped handlers. Do not ack: the current holder completes the key and
 * the redelivery of this message will be answered as a duplicate.
 */
public class LeaseLostException extends DedupException {
    private static final long serialVersionUID = 1L;
    private final DedupKey key;
    private final long token;

    public LeaseLostException(DedupKey key, long token) {
        super("lease on " + Objects.requireNonNull(key, "key") + " with token " + token + " was taken over");
        this.key = key;
        this.token = token;
    }

    public DedupKey key() {
        return key;
    }

    public long token() {
        return token;
    }
}
