package io.dedup.redis;

import io.dedup.DedupConfigurationException;
import io.dedup.spi.Checks;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Configures a {@link RedisDedupStore}; get one from {@code RedisDedupStore.builder(...)}. Arguments are checked
 * when set. Not thread-safe.
 */
public final class RedisDedupStoreBuilder {
    /** Prefixes longer than this only make every key and every round trip longer. */
    private static final int LONGEST_PREFIX = 128;

    // Exactly one of the three is set: the store's own client from a URI, or the application's client.
    private final String uri;
    private final RedisClient client;
    private final RedisClusterClient clusterClient;
    private String keyPrefix = RedisDedupStore.DEFAULT_KEY_PREFIX;
    private Duration commandTimeout = RedisDedupStore.DEFAULT_COMMAND_TIMEOUT;
    private boolean cluster;

    RedisDedupStoreBuilder(String uri, RedisClient client, RedisClusterClient clusterClient) {
        this.uri = uri;
        this.client = client;
        this.clusterClient = clusterClient;
    }

    /**
     * The prefix of every record's Redis key, e.g. to keep two applications apart on one server or to match an ACL
     * key pattern ({@code ~billing:dedup:*}). Default {@value RedisDedupStore#DEFAULT_KEY_PREFIX}.
     *
     * @throws IllegalArgumentException if longer than 128 characters
     */
    public RedisDedupStoreBuilder keyPrefix(String keyPrefix) {
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        if (keyPrefix.length() > LONGEST_PREFIX) {
            throw new IllegalArgumentException(
                    "keyPrefix must be at most " + LONGEST_PREFIX + " characters, got " + keyPrefix.length());
        }
        this.keyPrefix = keyPrefix;
        return this;
    }

    /**
     * How long to wait for Redis' answer to one call or one batch before throwing
     * {@link io.dedup.DedupStoreUnavailableException}; an unanswered command still buffered is then never sent.
     * Also the connect timeout of a client the store creates. Default 2 seconds.
     *
     * @throws IllegalArgumentException if not positive
     */
    public RedisDedupStoreBuilder commandTimeout(Duration commandTimeout) {
        this.commandTimeout = Checks.positive(commandTimeout, "commandTimeout");
        return this;
    }

    /**
     * Whether the URI names Redis Cluster seed nodes (comma-separated) rather than one server. Only for stores
     * built from a URI; a store on an application's client follows the client's kind. Default false.
     *
     * @throws IllegalStateException if this builder was made for an application's client
     */
    public RedisDedupStoreBuilder cluster(boolean cluster) {
        if (uri == null) {
            throw new IllegalStateException("cluster(...) applies to stores built from a URI; pass a "
                    + "RedisClusterClient to RedisDedupStore.builder for a cluster");
        }
        this.cluster = cluster;
        return this;
    }

    /**
     * Creates the store. Nothing is connected yet.
     *
     * @throws DedupConfigurationException if the URI is malformed
     */
    public RedisDedupStore build() {
        // No connection is made here (see LazyConnection), so a store can be built while Redis is down.
        return new RedisDedupStore(port(), commandTimeout, keyPrefix);
    }

    /**
     * The port for the configured source. A client the store creates gets options fit for a dedup store (fail fast
     * while disconnected, bounded timeouts, quick reconnects) and is shut down with the store; an application's
     * client is used as it is configured and left open.
     */
    private RedisPort port() {
        long connectWait = commandTimeout.toMillis();
        if (client != null) {
            return new StandaloneRedisPort(client, "redis (application's RedisClient)", () -> {});
        }
        if (clusterClient != null) {
            return new ClusterRedisPort(clusterClient, connectWait, "redis cluster (application's client)", () -> {});
        }
        List<RedisURI> uris = RedisUris.parse(uri);
        // The URI's timeout bounds the connection handshake; Lettuce's default of 60 s would hold a caller that long.
        uris.forEach(u -> u.setTimeout(commandTimeout));
        ClientResources resources = DefaultClientResources.builder()
                // Lettuce's default backs off to 30 s between reconnects; a dedup store should be back sooner.
                .reconnectDelay(
                        Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(5), 2, TimeUnit.MILLISECONDS))
                .build();
        SocketOptions socket = SocketOptions.builder()
                .connectTimeout(commandTimeout)
                .keepAlive(true)
                .build();
        if (cluster) {
            RedisClusterClient own = RedisClusterClient.create(resources, uris);
            own.setOptions(ClusterClientOptions.builder()
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                    .socketOptions(socket)
                    // Follow failovers and resharding: periodically, and at once on MOVED/ASK or a lost node.
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enablePeriodicRefresh(Duration.ofSeconds(30))
                            .enableAllAdaptiveRefreshTriggers()
                            .build())
                    .build());
            return new ClusterRedisPort(
                    own, connectWait, "redis cluster " + RedisUris.describe(uris), () -> shutdown(own, resources));
        }
        if (uris.size() != 1) {
            throw new DedupConfigurationException("several Redis URIs given (" + RedisUris.describe(uris)
                    + ") for a standalone store; set cluster(true) for cluster seeds");
        }
        RedisClient own = RedisClient.create(resources, uris.get(0));
        own.setOptions(ClientOptions.builder()
                // Fail at once while disconnected rather than queue claims that would run after their caller gave up.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .socketOptions(socket)
                .build());
        return new StandaloneRedisPort(own, "redis " + RedisUris.describe(uris.get(0)), () -> shutdown(own, resources));
    }

    /** Shuts down a client the store created and then its resources (event loops), without a quiet period. */
    private static void shutdown(io.lettuce.core.AbstractRedisClient client, ClientResources resources) {
        try {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        } finally {
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
