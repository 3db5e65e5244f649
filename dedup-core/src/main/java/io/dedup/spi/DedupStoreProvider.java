package io.dedup.spi;

/**
 * How a store module makes itself the store "selected by dependency": registered in
 * {@code META-INF/services/io.dedup.spi.DedupStoreProvider} and found with {@link java.util.ServiceLoader} by
 * {@link io.dedup.DedupStores#discover()}.
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
}
