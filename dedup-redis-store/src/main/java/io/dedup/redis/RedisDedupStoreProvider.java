package io.dedup.redis;

import io.dedup.DedupConfigurationException;
import io.dedup.spi.DedupStore;
import io.dedup.spi.DedupStoreProvider;
import io.dedup.spi.StoreSettings;
import java.util.Set;

/**
 * Makes the Redis store the one "selected by dependency" ({@code dedup.store=redis} when several are present).
 * Settings, each a system property or its environment variable twin:
 *
 * <ul>
 *   <li>{@code dedup.redis.uri} / {@code DEDUP_REDIS_URI}: default {@value #DEFAULT_URI}; {@code rediss://} for
 *       TLS, {@code redis://user:password@host:port/db} for ACL users; cluster seeds separated by commas;
 *   <li>{@code dedup.redis.cluster} / {@code DEDUP_REDIS_CLUSTER}: {@code true} for Redis Cluster, default
 *       {@code false} (nothing else is accepted);
 *   <li>{@code dedup.redis.key-prefix} / {@code DEDUP_REDIS_KEY_PREFIX}: default {@code dedup:};
 *   <li>{@code dedup.redis.command-timeout} / {@code DEDUP_REDIS_COMMAND_TIMEOUT}: a duration ({@code 500ms},
 *       {@code 2s}, ISO-8601 {@code PT2S}), default 2 seconds.
 * </ul>
 *
 * <p>Thread-safe; {@link java.util.ServiceLoader} needs the public no-argument constructor.
 */
public final class RedisDedupStoreProvider implements DedupStoreProvider {
    /** The URI used when {@code dedup.redis.uri} is not set. */
    public static final String DEFAULT_URI = "redis://127.0.0.1:6379";

    /** The server's URI, or the cluster's seeds. */
    public static final String URI = "dedup.redis.uri";
    /** Whether the URI names Redis Cluster seeds. */
    public static final String CLUSTER = "dedup.redis.cluster";
    /** The prefix of every record's Redis key. */
    public static final String KEY_PREFIX = "dedup.redis.key-prefix";
    /** The longest wait for one call or one batch. */
    public static final String COMMAND_TIMEOUT = "dedup.redis.command-timeout";

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public Set<String> settingNames() {
        return Set.of(URI, CLUSTER, KEY_PREFIX, COMMAND_TIMEOUT);
    }

    /**
     * @throws DedupConfigurationException naming the setting whose value is malformed
     */
    @Override
    public DedupStore create(StoreSettings settings) {
        RedisDedupStoreBuilder builder = RedisDedupStore.builder(settings.get(URI, DEFAULT_URI));
        settings.flag(CLUSTER).ifPresent(builder::cluster);
        settings.get(KEY_PREFIX).ifPresent(builder::keyPrefix);
        settings.duration(COMMAND_TIMEOUT).ifPresent(timeout -> {
            // Zero would mean "never wait", which no call survives: refused here, naming the setting.
            if (timeout.isZero()) {
                throw new DedupConfigurationException(COMMAND_TIMEOUT + " must be positive, got " + timeout);
            }
            builder.commandTimeout(timeout);
        });
        return builder.build();
    }
}
