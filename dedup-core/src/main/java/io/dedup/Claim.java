package io.dedup;

import io.dedup.internal.CurrentClaim;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An acquired claim on a key: what a handler may know about the right it was given to process a message.
 *
 * <p>Pass {@link #token()} to downstream systems that check fencing tokens: it strictly increases every time the
 * key is (re)acquired, so a write carrying a lower token than one already seen comes from a stale worker.
 *
 * <p>Immutable and thread-safe.
 *
 * @param key the key claimed
 * @param token the fencing token of this claim, positive
 * @param attempt how many times this key has been acquired, this one included (1 on the first attempt)
 * @param leaseUntil when the lease ends unless renewed, by the store's clock
 */
public record Claim(DedupKey key, long token, int attempt, Instant leaseUntil) {
    public Claim {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        if (token <= 0) {
            throw new IllegalArgumentException("token must be positive, got " + token);
        }
        if (attempt <= 0) {
            throw new IllegalArgumentException("attempt must be positive, got " + attempt);
        }
    }

    /**
     * The claim under which the calling thread's handler is running, if any. Available inside a handler invoked
     * by {@link DedupConsumer} on the thread that invoked it; empty elsewhere (and for unguarded fail-open runs).
     * {@link Steps} records a handler's steps under this claim.
     */
    public static Optional<Claim> current() {
        return Optional.ofNullable(CurrentClaim.get());
    }
}
