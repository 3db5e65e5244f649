package io.dedup.kafka.internal.share;

import java.time.Duration;
import org.apache.kafka.clients.consumer.ShareConsumer;

/**
 * How the share runner's timing follows the broker's acquisition lock: the store lease a little shorter than the
 * lock, and lock renewal (and the longest wait for a deferred record) at a third of it.
 *
 * <p>Why the lease must end before the lock: when a record's lock expires, the broker hands it to another consumer,
 * whose claim must then find the key free or taken over, not held by this consumer until after that delivery gave
 * up. The margin covers the clocks of the runner, the broker and the store.
 *
 * <p>Immutable.
 *
 * @param lock the acquisition lock the broker reports
 */
record AcquisitionLock(Duration lock) {
    /** The acquisition lock assumed until the broker reports one (Kafka's default). */
    static final AcquisitionLock DEFAULT = new AcquisitionLock(Duration.ofSeconds(30));

    /** The lock {@code consumer} reports (known once it joined its group), else the default. */
    static AcquisitionLock of(ShareConsumer<?, ?> consumer) {
        return consumer.acquisitionLockTimeoutMs()
                .map(ms -> new AcquisitionLock(Duration.ofMillis(ms)))
                .orElse(DEFAULT);
    }

    /** The store lease: the lock minus a margin. */
    Duration lease() {
        return leaseFor(lock);
    }

    /** How often held records' locks are renewed: a third of the lock, so one lost renewal does not cost it. */
    Duration renewEvery() {
        return lock.dividedBy(3);
    }

    /** The store lease for a lock: the lock minus a margin (a tenth, at least 500 ms, at most half the lock). */
    static Duration leaseFor(Duration lock) {
        Duration margin = lock.dividedBy(10);
        if (margin.compareTo(Duration.ofMillis(500)) < 0) {
            margin = Duration.ofMillis(500);
        }
        if (margin.compareTo(lock.dividedBy(2)) > 0) {
            margin = lock.dividedBy(2);
        }
        return lock.minus(margin);
    }
}
