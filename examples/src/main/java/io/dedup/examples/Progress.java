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
    /** Where the story goes: standard output for the demo, a buffer in tests. */
    private final PrintStream out;

    /** Whether to print at all; the demo's last line is printed by {@link Demo} either way. */
    private final boolean verbose;
    /** When the run started; every line shows the seconds since. */
    private final long started = System.nanoTime();
    /** Prints the per-second counts; a daemon thread, so a failing run never hangs on it. */
    private final ScheduledExecutorService ticker;
    /** What the per-second line counts; set by the scenario once it knows its counters. */
    private volatile LongSupplier deliveries = () -> 0;

    private volatile LongSupplier executions = () -> 0;
    private volatile LongSupplier duplicates = () -> 0;
    /** Deliveries at the last printed tick: a tick with nothing new prints nothing. Guarded by this. */
    private long lastDeliveries = -1;

    /** Progress printing to {@code out}; silent, ticker and all, when not {@code verbose}. */
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
                // the story and the ticker write from different threads: one line at a time
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

    /** Seconds since the run started. */
    double seconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    /** The per-second line, when deliveries moved since the last one. */
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

    /** Stops the ticker. */
    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
