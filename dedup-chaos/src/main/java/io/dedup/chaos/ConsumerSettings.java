package io.dedup.chaos;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a chaos consumer runs with, given on its command line as {@code name=value} arguments so that a failing
 * child can be started again by hand with the same line. Immutable.
 */
public record ConsumerSettings(Map<String, String> values) {
    public ConsumerSettings {
        values = Map.copyOf(Objects.requireNonNull(values, "values"));
    }

    /** @throws IllegalArgumentException if an argument is not {@code name=value} */
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

    public String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public long number(String name, long fallback) {
        String value = values.get(name);
        return value == null || value.isEmpty() ? fallback : Long.parseLong(value);
    }

    public Duration millis(String name, long fallback) {
        return Duration.ofMillis(number(name, fallback));
    }

    public boolean flag(String name) {
        return Boolean.parseBoolean(values.getOrDefault(name, "false"));
    }

    public List<String> list(String name) {
        return Arrays.stream(get(name).split(",")).filter(s -> !s.isBlank()).toList();
    }

    public String id() {
        return get("id");
    }

    public boolean transactional() {
        return get("mode").equals("transactional");
    }
}
