package io.dedup.internal;

import io.dedup.DedupKey;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says once per key and holder that a key is held elsewhere, by which token, until when: after a crash the
 * restarted consumer meets the dead one's keys on every retry, and one line per retry (or per seek) would bury the
 * one fact an operator needs, which key waits for which lease. Remembers the last {@link #REMEMBERED} keys.
 *
 * <p>Thread-safe.
 */
final class HeldKeys {
    static final int REMEMBERED = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(HeldKeys.class);

    private final DedupMetrics metrics;
    private final Map<DedupKey, Long> seen = new LinkedHashMap<>(256, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<DedupKey, Long> eldest) {
            return size() > REMEMBERED;
        }
    };

    HeldKeys(DedupMetrics metrics) {
        this.metrics = metrics;
    }

    /** A claim of {@code key} found it held by {@code holderToken} (0: unknown) until {@code leaseUntil}. */
    void held(DedupKey key, long holderToken, Instant leaseUntil) {
        synchronized (seen) {
            Long previous = seen.put(key, holderToken);
            if (previous != null && previous == holderToken) {
                return;
            }
        }
        metrics.keyHeld();
        LOG.info(
                "key {} is held by another consumer's claim (token {}) until {}; its messages wait until that claim"
                        + " completes or its lease ends",
                key,
                holderToken == 0 ? "unknown" : holderToken,
                leaseUntil);
    }
}
