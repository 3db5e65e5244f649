/**
 * The Redis processed-keys store: {@link io.dedup.redis.RedisDedupStore}, on Lettuce, for a standalone server (TLS
 * and ACL users included) or Redis Cluster. Adding the {@code dedup-redis-store} dependency selects it through
 * {@link io.dedup.redis.RedisDedupStoreProvider}.
 *
 * <p>All parameters and return values are non-null unless documented otherwise.
 */
package io.dedup.redis;
