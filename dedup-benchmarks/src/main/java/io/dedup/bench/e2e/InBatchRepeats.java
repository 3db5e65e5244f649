package io.dedup.bench.e2e;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Counts into an arm's progress the messages that never reach the store: core answers a key repeated within one
 * batch as a duplicate of its first copy without a second claim, so {@link TimedDedupStore} cannot see them. They
 * are core's own meter, {@code dedup.messages{result=duplicate}}, less the duplicates the store answered, counted
 * as the meter is incremented (the store's duplicates are counted before core hears of them, so the difference
 * never runs ahead of the repeats). Nothing polls: a poller waking every millisecond took a tenth of the harness's
 * CPU on a two-core machine, from the arm it measured. Thread-safe.
 */
final class InBatchRepeats implements AutoCloseable {
    private final TimedDedupStore store;
    private final Progress progress;
    /** A registry that hooks only core's duplicate counter; every other meter is plain. */
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry() {
        @Override
        protected Counter newCounter(Meter.Id id) {
            Counter counter = super.newCounter(id);
            return "dedup.messages".equals(id.getName()) && "duplicate".equals(id.getTag("result"))
                    ? new Hooked(counter)
                    : counter;
        }
    };
    /** Core's duplicate count so far; guarded by this. */
    private double duplicates;
    /** In-batch repeats already reported to the progress; guarded by this. */
    private long counted;

    /** Counts into {@code progress} the repeats {@code store} never saw. */
    InBatchRepeats(TimedDedupStore store, Progress progress) {
        this.store = store;
        this.progress = progress;
    }

    /** The registry to give the arm's dedup builder. */
    SimpleMeterRegistry registry() {
        return registry;
    }

    /** Adds core's new duplicates and reports to the progress the repeats not reported yet. */
    private synchronized void duplicates(double amount) {
        duplicates += amount;
        long repeats = (long) duplicates - store.duplicates();
        if (repeats > counted) {
            progress.delivered(repeats - counted);
            counted = repeats;
        }
    }

    /** Nothing to stop: the counting happens on core's threads as it counts. */
    @Override
    public void close() {
        // nothing runs in the background
    }

    /** Core's duplicate counter, which reports each increment. */
    private final class Hooked implements Counter {
        /** Core's own counter, which keeps the count core's meters report. */
        private final Counter counter;

        /** A hook around {@code counter}. */
        Hooked(Counter counter) {
            this.counter = counter;
        }

        /** Counts as core asked, then reports any new in-batch repeats to the progress. */
        @Override
        public void increment(double amount) {
            counter.increment(amount);
            duplicates(amount);
        }

        @Override
        public double count() {
            return counter.count();
        }

        @Override
        public Meter.Id getId() {
            return counter.getId();
        }
    }
}
