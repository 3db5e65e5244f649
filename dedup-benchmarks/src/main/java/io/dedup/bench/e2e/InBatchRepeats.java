package io.dedup.bench.e2e;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Counts into an arm's progress the messages that never reach the store: core answers a key repeated within one
 * batch as a duplicate of its first copy without a second claim, so {@link TimedDedupStore} cannot see them. They
 * are read from core's own meter, {@code dedup.messages{result=duplicate}}, less the duplicates the store answered,
 * every millisecond (so a run's end may be seen up to a millisecond late). Thread-safe.
 */
final class InBatchRepeats implements AutoCloseable {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TimedDedupStore store;
    private final Progress progress;
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "bench-in-batch-repeats");
        thread.setDaemon(true);
        return thread;
    });
    private long counted;

    InBatchRepeats(TimedDedupStore store, Progress progress) {
        this.store = store;
        this.progress = progress;
        poller.scheduleWithFixedDelay(this::count, 1, 1, TimeUnit.MILLISECONDS);
    }

    /** The registry to give the arm's dedup builder. */
    SimpleMeterRegistry registry() {
        return registry;
    }

    private synchronized void count() {
        double duplicates = 0;
        for (Counter counter :
                registry.find("dedup.messages").tag("result", "duplicate").counters()) {
            duplicates += counter.count();
        }
        long repeats = (long) duplicates - store.duplicates();
        if (repeats > counted) {
            progress.delivered(repeats - counted);
            counted = repeats;
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
