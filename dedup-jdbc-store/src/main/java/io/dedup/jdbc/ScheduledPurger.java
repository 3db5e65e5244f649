package io.dedup.jdbc;

import io.dedup.spi.Checks;
import io.dedup.spi.ExpiredEntriesPurger;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Purges expired records on a schedule, for any store with the {@link ExpiredEntriesPurger} capability: every
 * interval, batches of at most {@code batchSize} records until a batch comes back short (at most {@value
 * #MAX_BATCHES_PER_RUN} batches per run), so that no single statement holds locks for long. A failed run is logged
 * and the next one tries again.
 *
 * <pre>{@code
 * try (ScheduledPurger purger = ScheduledPurger.start(store, Duration.ofMinutes(5), 1000)) { ... }
 * }</pre>
 *
 * <p>Thread-safe. Runs on one daemon thread, stopped by {@link #close()}.
 */
public final class ScheduledPurger implements AutoCloseable {
    /** Default records per purge statement. */
    public static final int DEFAULT_BATCH_SIZE = 1000;
    /** Most batches in one run, so that a huge backlog is worked off over several runs. */
    public static final int MAX_BATCHES_PER_RUN = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(ScheduledPurger.class);

    private final ExpiredEntriesPurger purger;
    private final int batchSize;
    private final ScheduledExecutorService executor;

    private ScheduledPurger(ExpiredEntriesPurger purger, int batchSize) {
        this.purger = purger;
        this.batchSize = batchSize;
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "dedup-purger");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts purging every {@code interval}, the first run one interval from now.
     *
     * @throws IllegalArgumentException if the interval is not positive or the batch size is less than 1
     */
    public static ScheduledPurger start(ExpiredEntriesPurger purger, Duration interval, int batchSize) {
        Objects.requireNonNull(purger, "purger");
        Checks.positive(interval, "interval");
        Checks.atLeast(batchSize, 1, "batchSize");
        ScheduledPurger scheduled = new ScheduledPurger(purger, batchSize);
        // Fixed delay, not rate: a slow run (a large backlog) is never followed at once by the next.
        long millis = Math.max(1, interval.toMillis());
        scheduled.executor.scheduleWithFixedDelay(scheduled::runLogged, millis, millis, TimeUnit.MILLISECONDS);
        return scheduled;
    }

    /**
     * Purges now, on the calling thread.
     *
     * @return how many records were deleted
     * @throws io.dedup.DedupStoreUnavailableException if the store cannot be reached
     */
    public long purgeNow() {
        long total = 0;
        for (int batch = 0; batch < MAX_BATCHES_PER_RUN; batch++) {
            int deleted = purger.purgeExpired(batchSize);
            total += deleted;
            if (deleted < batchSize) {
                break;
            }
        }
        return total;
    }

    /** One scheduled run; never throws, since an exception would cancel the schedule for good. */
    private void runLogged() {
        try {
            long deleted = purgeNow();
            if (deleted > 0) {
                LOG.debug("purged {} expired dedup records", deleted);
            }
        } catch (RuntimeException e) {
            LOG.warn("purging expired dedup records failed; the next run tries again: {}", e.toString());
        }
    }

    /** Stops the schedule; a run in progress finishes its current statement. */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
