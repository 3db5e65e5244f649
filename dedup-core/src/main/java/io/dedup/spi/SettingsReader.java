package io.dedup.spi;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one reader of dedup's textual settings, used by every store provider and adapter so that a setting is
 * written the same way everywhere: a key ({@code dedup.lease}) is looked up in a source (a map, or the JVM's
 * system properties) and then as its environment twin ({@code DEDUP_LEASE}) when the source has a fallback to the
 * environment. Blank values count as unset; values are trimmed.
 *
 * <ul>
 *   <li><b>Durations</b>: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 24h}, or ISO-8601 ({@code PT30S}).
 *   <li><b>Booleans</b>: {@code true} or {@code false} (any case), nothing else.
 *   <li><b>Enumerations</b>: the constant's name in any case, dashes for underscores ({@code mark-failed}).
 *   <li><b>Unknown keys</b>: {@link #rejectUnknown} names the nearest known key ("did you mean ...?").
 * </ul>
 *
 * <p>A malformed value fails with {@link IllegalArgumentException} naming the key, the value and the accepted
 * forms; store providers see the same through {@link StoreSettings}, as {@link io.dedup.DedupConfigurationException}.
 * For store and adapter modules, not applications, which configure through the builders and the documented keys.
 *
 * <p>Immutable and thread-safe when its source is (a copied map, system properties, the environment).
 */
public final class SettingsReader {
    /** The duration forms every reader accepts, as error messages name them. */
    public static final String DURATION_FORMS = "500ms, 30s, 5m, 24h or ISO-8601 such as PT30S";

    private static final Pattern UNIT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private final Function<String, String> source;
    private final Function<String, String> environment;
    private final Function<String, Set<String>> names;

    private SettingsReader(
            Function<String, String> source,
            Function<String, String> environment,
            Function<String, Set<String>> names) {
        this.source = source;
        this.environment = environment;
        this.names = names;
    }

    /**
     * Settings from a map (a Kafka consumer configuration, a {@code Properties} object, a test's settings); keys
     * and values are read as text, null values count as unset. The map is copied.
     */
    public static SettingsReader of(Map<?, ?> settings) {
        Objects.requireNonNull(settings, "settings");
        Map<String, String> copy = new LinkedHashMap<>();
        settings.forEach((key, value) -> {
            if (key != null && value != null) {
                copy.put(String.valueOf(key), String.valueOf(value));
            }
        });
        return new SettingsReader(copy::get, name -> null, prefix -> startingWith(copy.keySet(), prefix));
    }

    /** Settings from the JVM's system properties, then their environment twins. */
    public static SettingsReader fromEnvironment() {
        return new SettingsReader(
                System::getProperty,
                System::getenv,
                prefix -> startingWith(System.getProperties().stringPropertyNames(), prefix));
    }

    /**
     * These settings, then {@code fallback}'s for keys they lack; {@link #names} and {@link #rejectUnknown} look at
     * this reader's own source only (the environment is full of other programs' names).
     */
    public SettingsReader orElse(SettingsReader fallback) {
        Objects.requireNonNull(fallback, "fallback");
        return new SettingsReader(
                key -> {
                    String own = clean(lookUp(key));
                    return own != null ? own : fallback.text(key).orElse(null);
                },
                key -> null,
                names);
    }

    /** The trimmed value of {@code key}, from the source or its environment twin; empty when unset or blank. */
    public Optional<String> text(String key) {
        Objects.requireNonNull(key, "key");
        return Optional.ofNullable(clean(lookUp(key)));
    }

    /**
     * The value of {@code key} as a duration.
     *
     * @throws IllegalArgumentException naming the key, the value and the accepted forms if it is not one
     */
    public Optional<Duration> duration(String key) {
        return text(key).map(value -> parseDuration(key, value));
    }

    /**
     * The value of {@code key} as {@code true} or {@code false}.
     *
     * @throws IllegalArgumentException naming the key if it is anything else
     */
    public Optional<Boolean> flag(String key) {
        return text(key).map(value -> parseFlag(key, value));
    }

    /**
     * The value of {@code key} as an integer.
     *
     * @throws IllegalArgumentException naming the key if it is not one
     */
    public Optional<Integer> integer(String key) {
        return text(key).map(value -> parseInteger(key, value));
    }

    /**
     * The value of {@code key} as a constant of {@code type}: its name in any case, with dashes or underscores.
     *
     * @throws IllegalArgumentException naming the key and the constants if it is none of them
     */
    public <E extends Enum<E>> Optional<E> choice(String key, Class<E> type) {
        Objects.requireNonNull(type, "type");
        return text(key).map(value -> parseChoice(key, value, type));
    }

    /** The keys of this reader's own source that start with {@code prefix}, sorted. */
    public Set<String> names(String prefix) {
        return names.apply(Objects.requireNonNull(prefix, "prefix"));
    }

    /**
     * Fails on the first key of this reader's source under {@code prefix} that is neither in {@code known} nor
     * accepted by {@code pattern} (for keys with a variable part, such as a topic's name), naming the nearest known
     * key when one is close: a typo does not pass silently.
     *
     * @throws IllegalArgumentException naming the unknown key
     */
    public void rejectUnknown(String prefix, Collection<String> known, Predicate<String> pattern) {
        Objects.requireNonNull(known, "known");
        Objects.requireNonNull(pattern, "pattern");
        for (String name : names(prefix)) {
            if (!known.contains(name) && !pattern.test(name)) {
                throw new IllegalArgumentException("unknown setting " + name
                        + nearest(name, known)
                                .map(n -> ": did you mean " + n + "?")
                                .orElse(""));
            }
        }
    }

    /**
     * Reads a duration: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 24h}, or ISO-8601 ({@code PT30S}).
     *
     * @throws IllegalArgumentException naming {@code key}, the value and the accepted forms
     */
    public static Duration parseDuration(String key, String value) {
        String text = value.trim();
        Matcher unit = UNIT_DURATION.matcher(text.toLowerCase(Locale.ROOT));
        try {
            if (unit.matches()) {
                long amount = Long.parseLong(unit.group(1));
                return switch (unit.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    default -> Duration.ofHours(amount);
                };
            }
            if (text.regionMatches(true, 0, "P", 0, 1)) {
                return Duration.parse(text.toUpperCase(Locale.ROOT));
            }
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            throw new IllegalArgumentException(invalid(key, value, DURATION_FORMS), e);
        }
        throw new IllegalArgumentException(invalid(key, value, DURATION_FORMS));
    }

    /**
     * Reads {@code true} or {@code false}, in any case.
     *
     * @throws IllegalArgumentException naming {@code key} for anything else ({@code yes}, {@code 1}, ...)
     */
    public static boolean parseFlag(String key, String value) {
        String text = value.trim();
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException(invalid(key, value, "true or false"));
    }

    /**
     * Reads a decimal integer.
     *
     * @throws IllegalArgumentException naming {@code key} if it is not one
     */
    public static int parseInteger(String key, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(invalid(key, value, "an integer"), e);
        }
    }

    /**
     * Reads a constant of {@code type} by name, in any case, with dashes or underscores.
     *
     * @throws IllegalArgumentException naming {@code key} and the constants
     */
    public static <E extends Enum<E>> E parseChoice(String key, String value, Class<E> type) {
        String wanted = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(wanted)) {
                return constant;
            }
        }
        Set<String> names = new TreeSet<>();
        for (E constant : type.getEnumConstants()) {
            names.add(constant.name());
        }
        throw new IllegalArgumentException(invalid(key, value, "one of " + String.join(", ", names)));
    }

    /** {@code dedup.redis.key-prefix} becomes {@code DEDUP_REDIS_KEY_PREFIX}. */
    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * The known key nearest to {@code name} by edit distance, if it is close enough to be a likely typo (at most a
     * third of the name's length, and at most 3 edits).
     */
    public static Optional<String> nearest(String name, Collection<String> known) {
        return NearestName.among(name, known);
    }

    private String lookUp(String key) {
        String value = clean(source.apply(key));
        return value != null ? value : environment.apply(environmentName(key));
    }

    private static String clean(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    private static String invalid(String key, String value, String forms) {
        return key + "=" + value + " is invalid: expected " + forms;
    }

    private static Set<String> startingWith(Collection<String> keys, String prefix) {
        Set<String> matching = new TreeSet<>();
        for (String key : keys) {
            if (key.startsWith(prefix)) {
                matching.add(key);
            }
        }
        return matching;
    }
}
