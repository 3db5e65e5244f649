package io.dedup.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A {@link CheckerTime} made of its parts: how to read the time, how to make it pass, the tolerance and whether
 * passing jumps. Thread-safe when {@code clock} and {@code passer} are.
 *
 * @param clock reads the time in epoch milliseconds
 * @param passer makes a duration pass for the store
 */
record CheckerClock(LongSupplier clock, Consumer<Duration> passer, long toleranceMillis, boolean jumps)
        implements CheckerTime {
    CheckerClock {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(passer, "passer");
    }

    @Override
    public long now() {
        return clock.getAsLong();
    }

    @Override
    public void pass(Duration duration) {
        passer.accept(duration);
    }
}
