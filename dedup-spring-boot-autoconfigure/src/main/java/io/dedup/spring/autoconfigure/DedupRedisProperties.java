package io.dedup.spring.autoconfigure;

import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code dedup.redis.*}: the Redis store, when it serves. Without a URI the store follows the application's own
 * Lettuce connection factory, so that an application configures its Redis once (Boot's {@code spring.data.redis.*});
 * a URI is needed only for a cluster or sentinel set-up, which cannot be translated into one URI.
 *
 * <p>Immutable and thread-safe; bound by Spring through its constructor.
 *
 * @param uri Redis URI of the store (redis://, rediss://). Empty: the host, port, database, password and TLS of the
 *     application's Lettuce connection factory.
 * @param keyPrefix Prefix of every Redis key the store writes
 * @param commandTimeout Timeout of one Redis command
 * @param cluster Whether the URI names a Redis Cluster
 */
public record DedupRedisProperties(
        String uri,
        @DefaultValue("dedup:") String keyPrefix,
        @DefaultValue("2s") Duration commandTimeout,
        boolean cluster) {}
