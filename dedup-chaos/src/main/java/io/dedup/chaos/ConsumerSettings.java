package io.dedup.chaos;

import io.dedup.DedupSettings;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a chaos consumer runs with, given on its command line as {@code name=value} arguments so that a failing
 * child can be started again by hand with the same line. Immutable; thread-safe.
 *
 * <p>Unlike the library's settings, these are the test harness's own: the names are the ones the chaos tests pass,
 * and a missing required setting fails the child at once with its name.
 */
public record ConsumerSettings(Map<String, String> values) {
    /** @throws NullPointerException if {@code values} is null */
    public ConsumerSettings {
        values = Map.copyOf(Objects.requireNonNull(values, "values"));
    }

    /**
     * Parses {@code name=value} arguments; a later argument of the same name wins.
     *
     * @throws IllegalArgumentException if an argument is not {@code name=value}
     */
    public static ConsumerSettings parse(String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("arguments are name=value, got " + arg);
            }
            values.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        return new ConsumerSettings(values);
    }

    /** @throws IllegalArgumentException if {@code name} is not set */
    public String get(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing setting " + name);
        }
        return value;
    }

    /** The setting {@code name}, or {@code fallback} when it is not given. */
    public String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /**
     * The setting {@code name} as a whole number, or {@code fallback} when it is missing or empty.
     *
     * @throws NumberFormatException if it is not a number
     */
    public long number(String name, long fallback) {
        String value = values.get(name);
        return value == null || value.isEmpty() ? fallback : Long.parseLong(value);
    }

    /** The setting {@code name} read as milliseconds, as {@link #number} reads it. */
    public Duration millis(String name, long fallback) {
        return Duration.ofMillis(number(name, fallback));
    }

    /**
     * The dedup settings every chaos consumer claims with, whatever its mode: {@code leaseMillis} (default 2 s, short
     * so that a killed consumer's keys are taken over within the run) and {@code retentionMillis} (default 10 min).
     *
     * @throws IllegalArgumentException if the lease is longer than the retention
     */
    public DedupSettings dedupSettings() {
        return DedupSettings.custom()
                .lease(millis("leaseMillis", 2000))
                .retention(millis("retentionMillis", 600_000))
                .build();
    }

    /** Whether the setting {@code name} is {@code true}; anything else, or nothing, is false. */
    public boolean flag(String name) {
        return Boolean.parseBoolean(values.getOrDefault(name, "false"));
    }

    /**
     * The comma-separated setting {@code name}, blanks left out.
     *
     * @throws IllegalArgumentException if it is not set
     */
    public List<String> list(String name) {
        return Arrays.stream(get(name).split(",")).filter(s -> !s.isBlank()).toList();
    }

    /** The child's id, unique within a run; names its connections and pools so the test can find them. */
    public String id() {
        return get("id");
    }

    /**
     * Whether the consumer runs in transactional mode (effects, keys and offsets in one database transaction) rather
     * than leased mode.
     */
    public boolean transactional() {
        return get("mode").equals("transactional");
    }
}
