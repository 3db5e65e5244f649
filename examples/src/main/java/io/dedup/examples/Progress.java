package io.dedup.examples;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Prints what a run is doing: the story as it happens ({@link #say}) and, every second while something moves, the
 * counts so far. Silent when not verbose. Thread-safe.
 */
final class Progress implements AutoCloseable {
    private final PrintStream out;
    private final boolean verbose;
    private final long started = System.nanoTime();
    private final ScheduledExecutorService ticker;
    private volatile LongSupplier deliveries = () -> 0;
    private volatile LongSupplier executions = () -> 0;
    private volatile LongSupplier duplicates = () -> 0;
    private long lastDeliveries = -1;

    Progress(PrintStream out, boolean verbose) {
        this.out = out;
        this.verbose = verbose;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "dedup-demo-progress");
            thread.setDaemon(true);
            return thread;
        });
        if (verbose) {
            ticker.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
        }
    }

    /** What the per-second line counts. */
    void track(LongSupplier deliveries, LongSupplier executions, LongSupplier duplicates) {
        this.deliveries = deliveries;
        this.executions = executions;
        this.duplicates = duplicates;
    }

    /** One line of the story, with the time since the start. */
    void say(String format, Object... args) {
        if (verbose) {
            synchronized (out) {
                out.printf("%5.1fs  %s%n", seconds(), String.format(format, args));
            }
        }
    }

    /** Stops the per-second line, so that it does not interleave with the final report. */
    void stopTicking() {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    double seconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    private synchronized void tick() {
        long d = deliveries.getAsLong();
        if (d == lastDeliveries || d == 0) {
            return;
        }
        lastDeliveries = d;
        say(
                "       %,9d deliveries  %,9d charged  %,9d duplicates suppressed",
                d, executions.getAsLong(), duplicates.getAsLong());
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
