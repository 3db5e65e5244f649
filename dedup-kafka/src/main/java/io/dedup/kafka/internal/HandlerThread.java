package io.dedup.kafka.internal;

import io.dedup.kafka.PollOutcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The classic runner's handler thread and the one batch it runs at a time. The poll thread hands a batch over,
 * waits on it in short slices while it polls, and takes its outcome when it ends.
 *
 * <p>Not thread-safe: only the poll thread calls it (the batch itself runs on the handler thread).
 */
final class HandlerThread {
    /** A batch that ended: its records, and its outcome or the failure that ended it instead. */
    record Finished(List<ConsumerRecord<byte[], byte[]>> records, PollOutcome outcome, Throwable failure) {}

    /** A poll's records on their way through the handler thread. */
    private record InFlight(List<ConsumerRecord<byte[], byte[]>> records, Future<PollOutcome> outcome) {}

    private final ExecutorService executor;
    /** The thread the executor made, so that close() called from a handler can tell it must not wait. */
    private volatile Thread thread;
    /** The batch handed over and not yet taken back, or null. */
    private InFlight inFlight;

    HandlerThread(String namespace) {
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread created = new Thread(r, "dedup-kafka-handler-" + namespace);
            created.setDaemon(true);
            thread = created;
            return created;
        });
    }

    /** Whether a batch was handed over and not yet taken back. */
    boolean busy() {
        return inFlight != null;
    }

    /** Whether a batch was handed over and still runs. */
    boolean running() {
        return inFlight != null && !inFlight.outcome().isDone();
    }

    /** Whether {@code candidate} is this handler thread. */
    boolean is(Thread candidate) {
        return candidate == thread;
    }

    /** Runs {@code task} over {@code records} on the handler thread. */
    void start(List<ConsumerRecord<byte[], byte[]>> records, Callable<PollOutcome> task) {
        inFlight = new InFlight(records, executor.submit(task));
    }

    /**
     * Waits up to {@code wait} for the batch; true when it is still running. An interrupt ends the wait, is kept,
     * and calls {@code onInterrupt} (the loop then closes).
     */
    boolean stillRunningAfter(Duration wait, Runnable onInterrupt) {
        InFlight batch = inFlight; // a poll may have taken it already (a revocation)
        if (batch == null) {
            return false;
        }
        try {
            batch.outcome().get(wait.toNanos(), TimeUnit.NANOSECONDS);
            return false;
        } catch (TimeoutException stillRunning) {
            return true;
        } catch (ExecutionException failed) {
            return false; // the failure is taken with the outcome
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            onInterrupt.run();
            return !batch.outcome().isDone();
        } catch (CancellationException e) {
            return false;
        }
    }

    /**
     * Takes back the batch, waiting for it however long it takes: its records are claimed, so the loop must learn
     * what became of them before it commits or gives partitions up. An interrupt is kept for later rather than
     * obeyed. Null when no batch was handed over.
     */
    Finished take() {
        InFlight batch = inFlight;
        if (batch == null) {
            return null;
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    PollOutcome outcome = batch.outcome().get();
                    inFlight = null;
                    return new Finished(batch.records(), outcome, null);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    inFlight = null;
                    return new Finished(batch.records(), null, e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops the thread, interrupting a batch still running (only on shutdown, after {@link #take}). */
    void shutdownNow() {
        executor.shutdownNow();
    }
}
