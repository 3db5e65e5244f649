package io.dedup.testkit;

import java.time.Duration;

/**
 * How the contract kit makes time pass for a store. Stores with an injected clock move it; stores judged by their
 * server's clock use {@link #REAL}, and the kit then polls (with Awaitility) until the store sees the time pass.
 *
 * <p>Implementations must be thread-safe: a contract case may advance time while its own threads call the store.
 */
@FunctionalInterface
public interface TimeControl {
    /** Time passes by itself; the kit waits for the store to see it. */
    TimeControl REAL = duration -> {};

    /** Makes at least {@code duration} pass for the store, or does nothing if time passes by itself. */
    void advance(Duration duration);

    /** Moves {@code clock}, the clock the store under test was built with. */
    static TimeControl of(MutableClock clock) {
        return clock::advance;
    }
}
