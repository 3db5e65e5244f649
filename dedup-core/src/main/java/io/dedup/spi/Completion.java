package io.dedup.spi;

import io.dedup.DedupKey;
import io.dedup.OutcomeStatus;
import java.time.Duration;
import java.util.Objects;

/**
 * A request to complete a held key: the record becomes COMPLETED with this outcome, kept for {@code retention}
 * from the store's now. Applied only if {@code token} is still the key's current token.
 *
 * <p>Immutable but for the body array, which is not copied (outcomes can be large): callers must not change it after
 * handing it over.
 *
 * @param key the key
 * @param token the fencing token of the caller's claim
 * @param status how the key ended
 * @param body the encoded result, possibly empty
 * @param retention how long the completed key is remembered; positive
 */
public record Completion(DedupKey key, long token, OutcomeStatus status, byte[] body, Duration retention) {
    /** @throws IllegalArgumentException if {@code retention} is not positive */
    public Completion {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(body, "body");
        Checks.positive(retention, "retention");
    }
}
