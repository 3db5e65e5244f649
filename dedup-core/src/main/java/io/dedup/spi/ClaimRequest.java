package io.dedup.spi;

import io.dedup.DedupKey;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A request to claim one key. Immutable.
 *
 * @param key the key
 * @param lease how long an acquired claim stays valid without renewal; positive
 * @param retention how long the record is kept after its lease ends, so that fencing tokens are remembered while
 *     an older holder may be alive; positive. Completion sets its own retention.
 * @param fingerprint digest of the payload to detect a key reused for different content, or empty
 */
public record ClaimRequest(DedupKey key, Duration lease, Duration retention, Optional<String> fingerprint) {
    /** @throws IllegalArgumentException if {@code lease} or {@code retention} is not positive */
    public ClaimRequest {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(fingerprint, "fingerprint");
        Checks.positive(lease, "lease");
        Checks.positive(retention, "retention");
    }

    /** A request without a fingerprint. */
    public static ClaimRequest of(DedupKey key, Duration lease, Duration retention) {
        return new ClaimRequest(key, lease, retention, Optional.empty());
    }
}
