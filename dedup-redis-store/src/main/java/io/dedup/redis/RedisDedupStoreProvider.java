package io.dedup.redis;

import io.dedup.DedupConfigurationException;
import io.dedup.spi.DedupStore;
import io.dedup.spi.DedupStoreProvider;
import io.dedup.spi.StoreSettings;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Makes the Redis store the one "selected by dependency" ({@code dedup.store=redis} when several are present).
 * Settings, each a system property or its environment variable twin:
 *
 * <ul>
 *   <li>{@code dedup.redis.uri} / {@code DEDUP_REDIS_URI}: default {@value #DEFAULT_URI}; {@code rediss://} for
 *       TLS, {@code redis://user:password@host:port/db} for ACL users; cluster seeds separated by commas;
 *   <li>{@code dedup.redis.cluster} / {@code DEDUP_REDIS_CLUSTER}: {@code true} for Redis Cluster, default false;
 *   <li>{@code dedup.redis.key-prefix} / {@code DEDUP_REDIS_KEY_PREFIX}: default {@code dedup:};
 *   <li>{@code dedup.redis.command-timeout} / {@code DEDUP_REDIS_COMMAND_TIMEOUT}: milliseconds or an ISO-8601
 *       duration ({@code PT2S}), default 2 seconds.
 * </ul>
 *
 * <p>Thread-safe; {@link java.util.ServiceLoader} needs the public no-argument constructor.
 */
public final class RedisDedupStoreProvider implements DedupStoreProvider {
    /** The URI used when {@code dedup.redis.uri} is not set. */
    public static final String DEFAULT_URI = "redis://127.0.0.1:6379";

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public DedupStore create(StoreSettings settings) {
        RedisDedupStoreBuilder builder = RedisDedupStore.builder(settings.get("dedup.redis.uri", DEFAULT_URI));
        settings.get("dedup.redis.cluster").ifPresent(value -> builder.cluster(bool("dedup.redis.cluster", value)));
        settings.get("dedup.redis.key-prefix").ifPresent(builder::keyPrefix);
        settings.get("dedup.redis.command-timeout")
                .ifPresent(value -> builder.commandTimeout(duration("dedup.redis.command-timeout", value)));
        return builder.build();
    }

    private static boolean bool(String name, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> true;
            case "false", "no", "0" -> false;
            default -> throw new DedupConfigurationException(name + " must be true or false, got " + value);
        };
    }

    private static Duration duration(String name, String value) {
        Duration parsed;
        try {
            parsed = value.chars().allMatch(Character::isDigit)
                    ? Duration.ofMillis(Long.parseLong(value))
                    : Duration.parse(value);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new DedupConfigurationException(
                    name + " must be milliseconds or an ISO-8601 duration such as PT2S, got " + value);
        }
        if (parsed.isNegative() || parsed.isZero()) {
            throw new DedupConfigurationException(name + " must be positive, got " + value);
        }
        return parsed;
    }
}
