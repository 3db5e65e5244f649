package io.dedup.spring.autoconfigure;

import java.time.Duration;

/**
 * {@code dedup.redis.*}: the Redis store, when it serves. Without a URI the store follows the application's own
 * Lettuce connection factory, so that an application configures its Redis once (Boot's {@code spring.data.redis.*});
 * a URI is needed only for a cluster or sentinel set-up, which cannot be translated into one URI.
 *
 * <p>Not thread-safe while Spring binds it; read-only afterwards.
 */
public class DedupRedisProperties {
    /**
     * Redis URI of the store (redis://, rediss://). Empty: the host, port, database, password and TLS of the
     * application's Lettuce connection factory.
     */
    private String uri;

    /** Prefix of every Redis key the store writes. */
    private String keyPrefix = "dedup:";

    /** Timeout of one Redis command. */
    private Duration commandTimeout = Duration.ofSeconds(2);

    /** Whether the URI names a Redis Cluster. */
    private boolean cluster;

    public String getUri() {
        return uri;
    }

    public void setUri(String uri) {
        this.uri = uri;
    }

    public String getKeyPrefix() {
        return keyPrefix;
    }

    public void setKeyPrefix(String keyPrefix) {
        this.keyPrefix = keyPrefix;
    }

    public Duration getCommandTimeout() {
        return commandTimeout;
    }

    public void setCommandTimeout(Duration commandTimeout) {
        this.commandTimeout = commandTimeout;
    }

    public boolean isCluster() {
        return cluster;
    }

    public void setCluster(boolean cluster) {
        this.cluster = cluster;
    }
}
