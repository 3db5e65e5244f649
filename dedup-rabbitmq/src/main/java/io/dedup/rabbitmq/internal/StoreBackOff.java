package io.dedup.rabbitmq.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pause of a pipeline while the store is unavailable: from the minimum, doubling per failed try up to the
 * maximum, reset by the first batch the store answers. One warning per outage; the rest at debug level.
 *
 * <p>Not thread-safe: owned by one pipeline's worker thread.
 */
final class StoreBackOff {
    private static final Logger LOG = LoggerFactory.getLogger(StoreBackOff.class);

    private final String queue;
    private final long minNanos;
    private final long maxNanos;
    private long currentNanos;
    private long untilNanos;

    StoreBackOff(String queue, Duration min, Duration max) {
        this.queue = queue;
        this.minNanos = min.toNanos();
        this.maxNanos = max.toNanos();
    }

    /** Whether the pipeline should wait rather than claim. */
    boolean active(long nowNanos) {
        return currentNanos > 0 && untilNanos - nowNanos > 0;
    }

    /** When the current pause ends, by {@link System#nanoTime()}. */
    long untilNanos() {
        return untilNanos;
    }

    /**
     * The store could not answer for {@code waiting} deliveries: pause longer. Doubling keeps a long outage from
     * costing a failed round trip every few milliseconds, the maximum keeps recovery prompt once it answers.
     */
    void failed(int waiting) {
        boolean first = currentNanos == 0;
        currentNanos = first ? minNanos : Math.min(currentNanos * 2, maxNanos);
        untilNanos = System.nanoTime() + currentNanos;
        if (first) {
            LOG.warn("store unavailable: queue {} pauses, {} deliveries stay unacked until it answers", queue, waiting);
        } else {
            LOG.debug(
                    "store still unavailable: {} deliveries of queue {} wait; next try in {} ms",
                    waiting,
                    queue,
                    TimeUnit.NANOSECONDS.toMillis(currentNanos));
        }
    }

    /** The store answered a whole batch: the next outage starts again from the minimum pause. */
    void answered() {
        if (currentNanos > 0) {
            LOG.info("store answers again; queue {} resumes", queue);
        }
        currentNanos = 0;
    }
}
