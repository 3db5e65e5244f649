package io.dedup.spi;

import java.time.Duration;
import java.util.Objects;

/** Argument checks shared by the SPI's value types. */
final class Checks {
    private Checks() {}

    static Duration positive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
        return value;
    }
}
