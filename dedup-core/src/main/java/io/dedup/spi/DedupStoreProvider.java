package io.dedup.spi;

import java.util.Set;

/**
 * How a store module makes itself the store "selected by dependency": registered in
 * {@code META-INF/services/io.dedup.spi.DedupStoreProvider} and found with {@link java.util.ServiceLoader} by
 * {@link io.dedup.DedupStores#discover()}. Implementations are stateless and thread-safe ({@link
 * java.util.ServiceLoader} needs a public no-argument constructor).
 */
public interface DedupStoreProvider {
    /** A short, stable name used to select this store explicitly ({@code dedup.store=redis}). */
    String name();

    /**
     * Creates the store from settings such as {@code dedup.redis.uri}.
     *
     * @throws io.dedup.DedupConfigurationException if the settings are invalid
     */
    DedupStore create(StoreSettings settings);

    /**
     * The settings {@link #create} reads ({@code dedup.redis.uri}, ...), so that an adapter reading a configuration
     * map can tell this store's keys from typos. Default: none declared.
     */
    default Set<String> settingNames() {
        return Set.of();
    }
}
