package io.dedup.spring.autoconfigure;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code dedup.store.*}: which store keeps the processed keys. Only consulted when the application has no
 * {@code DedupStore} bean of its own: a user's bean always wins, because the application may need a store the starter
 * cannot build (a cluster client, a store wrapped for tests), and the starter must never run a second one beside it.
 *
 * <p>Immutable and thread-safe; bound by Spring through its constructor.
 *
 * @param type Which store serves; AUTO follows the classpath. An application's own DedupStore bean always wins.
 */
public record DedupStoreProperties(@DefaultValue("auto") StoreType type) {
    /** Which store serves. */
    public enum StoreType {
        /** Redis when dedup-redis-store is present, else JDBC when dedup-jdbc-store and a DataSource are, else memory. */
        AUTO,
        /** In this process only: keys are lost on restart and not shared between instances. */
        MEMORY,
        /** dedup-redis-store, on {@code dedup.redis.uri} or the application's Lettuce connection factory. */
        REDIS,
        /** dedup-jdbc-store, on the application's DataSource. */
        JDBC
    }
}
