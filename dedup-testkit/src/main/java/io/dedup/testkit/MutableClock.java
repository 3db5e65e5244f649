package io.dedup.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told to, for stores that take an injected {@link Clock}. Thread-safe. */
public final class MutableClock extends Clock {
    /**
     * The current time in epoch milliseconds; atomic so that a test thread can advance it while store threads read it.
     */
    private final AtomicLong millis;

    /** A clock standing at {@code start} (truncated to milliseconds, the stores' resolution). */
    public MutableClock(Instant start) {
        this.millis = new AtomicLong(start.toEpochMilli());
    }

    /** A clock standing at the real current time, so records it stamps look plausible in logs. */
    public static MutableClock startingNow() {
        return new MutableClock(Instant.now());
    }

    /** Moves the clock forward by {@code duration} (backward if negative: a clock jump the model checker uses). */
    public void advance(Duration duration) {
        millis.addAndGet(duration.toMillis());
    }

    /** The current time; stores read it on every call, so it is a single atomic read. */
    @Override
    public long millis() {
        return millis.get();
    }

    /** The current time as an instant, at millisecond resolution. */
    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    /** UTC: the stores keep instants, and no test depends on a zone. */
    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /** The same clock: stores read instants only, so the zone is never consulted. */
    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
