package io.dedup.spi;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Settings a discovered store reads at creation, each looked up as a system property ({@code dedup.redis.uri})
 * then as an environment variable ({@code DEDUP_REDIS_URI}: upper case, dots and dashes as underscores).
 *
 * <p>Immutable and thread-safe.
 */
public final class StoreSettings {
    private final Function<String, String> properties;
    private final Function<String, String> environment;

    private StoreSettings(Function<String, String> properties, Function<String, String> environment) {
        this.properties = properties;
        this.environment = environment;
    }

    /** Settings from the JVM's system properties and the process environment. */
    public static StoreSettings fromEnvironment() {
        return new StoreSettings(System::getProperty, System::getenv);
    }

    /** Settings from a map of property names (for tests and explicit configuration). */
    public static StoreSettings of(Map<String, String> properties) {
        Map<String, String> copy = Map.copyOf(properties);
        return new StoreSettings(copy::get, name -> null);
    }

    /** The value of {@code property} (e.g. {@code dedup.redis.uri}), from the property or its environment twin. */
    public Optional<String> get(String property) {
        Objects.requireNonNull(property, "property");
        String value = properties.apply(property);
        if (value == null || value.isBlank()) {
            value = environment.apply(environmentName(property));
        }
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    /** The value or a default. */
    public String get(String property, String defaultValue) {
        return get(property).orElse(defaultValue);
    }

    /** {@code dedup.redis.uri} becomes {@code DEDUP_REDIS_URI}. */
    public static String environmentName(String property) {
        return property.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
