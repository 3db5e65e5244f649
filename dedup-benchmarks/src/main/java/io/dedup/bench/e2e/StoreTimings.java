package io.dedup.bench.e2e;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What an arm's timing decorator saw of its store: each message's time in store calls (see {@link
 * TimedIdempotentRepository} and {@link TimedDedupStore} for how a call is charged to a message), and how many
 * calls were made into the store object. Thread-safe.
 */
public final class StoreTimings {
    /** Store time charged to each decided message. */
    private final LatencyRecorder perMessage = new LatencyRecorder();
    /** Store calls made, a batch counting once. */
    private final AtomicLong calls = new AtomicLong();

    /** One message spent {@code nanos} in store calls in all. */
    public void message(long nanos) {
        perMessage.record(nanos);
    }

    /** One call into the store object (a batch call counts once). */
    public void call() {
        calls.incrementAndGet();
    }

    /** The per-message durations. */
    public LatencyRecorder perMessage() {
        return perMessage;
    }

    /** Calls into the store object so far. */
    public long calls() {
        return calls.get();
    }
}
