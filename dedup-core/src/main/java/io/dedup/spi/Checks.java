package io.dedup.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * Argument checks shared by the SPI's value types and the modules' builders, so that each condition is worded once
 * and names the parameter. Stateless and thread-safe.
 */
public final class Checks {
    private Checks() {}

    /**
     * {@code value}, if it is positive.
     *
     * @throws NullPointerException naming {@code name} if it is null
     * @throws IllegalArgumentException naming {@code name} if it is zero or negative
     */
    public static Duration positive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
        return value;
    }

    /**
     * {@code value}, if it is not negative.
     *
     * @throws NullPointerException naming {@code name} if it is null
     * @throws IllegalArgumentException naming {@code name} if it is negative
     */
    public static Duration notNegative(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
        return value;
    }

    /**
     * {@code value}, if it is at least {@code min}.
     *
     * @throws IllegalArgumentException naming {@code name} if it is less
     */
    public static int atLeast(int value, int min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
        }
        return value;
    }

    /**
     * {@code value}, if it is not negative.
     *
     * @throws IllegalArgumentException naming {@code name} if it is negative
     */
    public static int notNegative(int value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must not be negative, got " + value);
        }
        return value;
    }

    /**
     * {@code max}, if it is not shorter than {@code first}.
     *
     * @throws IllegalArgumentException naming both if it is
     */
    public static Duration notShorter(Duration max, String maxName, Duration first, String firstName) {
        if (max.compareTo(first) < 0) {
            throw new IllegalArgumentException(
                    maxName + " (" + max + ") must not be shorter than " + firstName + " (" + first + ")");
        }
        return max;
    }

    /**
     * {@code value}, if it is not empty.
     *
     * @throws NullPointerException naming {@code name} if it is null
     * @throws IllegalArgumentException naming {@code name} if it is empty
     */
    public static String nonEmpty(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        return value;
    }
}
