package io.dedup.spi;

import io.dedup.DedupConfigurationException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Settings a discovered store reads at creation, each looked up as a system property ({@code dedup.redis.uri})
 * then as an environment variable ({@code DEDUP_REDIS_URI}: upper case, dots and dashes as underscores). Values are
 * read with the grammar of {@link SettingsReader}, the one every module shares; a malformed value fails with
 * {@link DedupConfigurationException} naming the key, the value and the accepted forms.
 *
 * <p>Immutable and thread-safe.
 */
public final class StoreSettings {
    private final SettingsReader reader;

    private StoreSettings(SettingsReader reader) {
        this.reader = reader;
    }

    /** Settings from the JVM's system properties and the process environment. */
    public static StoreSettings fromEnvironment() {
        return new StoreSettings(SettingsReader.fromEnvironment());
    }

    /** Settings from a map of property names (for tests and explicit configuration). */
    public static StoreSettings of(Map<String, String> properties) {
        return new StoreSettings(SettingsReader.of(Objects.requireNonNull(properties, "properties")));
    }

    /** Settings read by {@code reader} (an adapter's configuration map over the environment, say). */
    public static StoreSettings of(SettingsReader reader) {
        return new StoreSettings(Objects.requireNonNull(reader, "reader"));
    }

    /** The value of {@code property} (e.g. {@code dedup.redis.uri}), from the property or its environment twin. */
    public Optional<String> get(String property) {
        return reader.text(Objects.requireNonNull(property, "property"));
    }

    /** The value or a default. */
    public String get(String property, String defaultValue) {
        return get(property).orElse(defaultValue);
    }

    /**
     * The value as a duration ({@value SettingsReader#DURATION_FORMS}).
     *
     * @throws DedupConfigurationException naming the property if the value is not one
     */
    public Optional<Duration> duration(String property) {
        return checked(() -> reader.duration(property));
    }

    /**
     * The value as {@code true} or {@code false}.
     *
     * @throws DedupConfigurationException naming the property if the value is anything else
     */
    public Optional<Boolean> flag(String property) {
        return checked(() -> reader.flag(property));
    }

    /**
     * The value as an integer.
     *
     * @throws DedupConfigurationException naming the property if the value is not one
     */
    public Optional<Integer> integer(String property) {
        return checked(() -> reader.integer(property));
    }

    /** {@code dedup.redis.uri} becomes {@code DEDUP_REDIS_URI}. */
    public static String environmentName(String property) {
        return SettingsReader.environmentName(property);
    }

    private static <T> T checked(Supplier<T> read) {
        try {
            return read.get();
        } catch (IllegalArgumentException e) {
            throw new DedupConfigurationException(e.getMessage(), e);
        }
    }
}
