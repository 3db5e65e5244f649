package io.dedup.redis;

import io.dedup.DedupKey;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A processed-keys store in Redis 7.0 or later, standalone or Redis Cluster, on Lettuce. Each key is one Redis string
 * that expires by itself (see {@code record.lua} for its two forms; a completed key without body is one integer);
 * each operation is one Lua script on that record, judged by Redis' clock, writing record and expiry with one
 * {@code SET ... PXAT}. Tokens are {@code max(previous + 1, Redis' clock in microseconds)}, so they rise across the
 * record's expiry too. {@link #claimAll} and {@link #completeAll} send a batch in one round trip (on a cluster, one
 * per master). Records of the earlier hash format are read, and rewritten when a claim acquires them.
 *
 * <pre>{@code
 * DedupStore store = RedisDedupStore.create("rediss://app:secret@redis.internal:6380");
 * DedupStore shared = RedisDedupStore.builder(redisClusterClient).keyPrefix("billing:dedup:").build();
 * }</pre>
 *
 * <p>With the module on the classpath, {@code DedupStores.discover()} creates one from {@code dedup.redis.uri} (see
 * {@link RedisDedupStoreProvider}). Connections are made on first use and re-made by Lettuce after a loss; until
 * Redis answers, every method throws {@link DedupStoreUnavailableException}, and batch answers carry
 * {@link ClaimResult.Failed} / {@link WriteResult.Failed} for the keys of a cluster node that could not answer.
 *
 * <p>Thread-safe. {@link #close()} closes the store's connections, and the Lettuce client only if the store created
 * it from a URI.
 */
public final class RedisDedupStore implements DedupStore {
    /** The default prefix of every record's Redis key. */
    public static final String DEFAULT_KEY_PREFIX = "dedup:";
    /** The default longest wait for Redis' answer to one call or one batch. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);
    /** The most records one script call touches on a standalone server, so that no call holds Redis for long. */
    static final int KEYS_PER_SCRIPT = 500;

    /** Standalone or cluster: the only place the two differ. */
    private final RedisPort port;

    private final ScriptRunner scripts;
    private final BatchAnswers batches;
    private final RecordKeys keys;
    private final ScriptCalls calls;

    /** Made by {@link RedisDedupStoreBuilder}; the port decides standalone or cluster. */
    RedisDedupStore(RedisPort port, Duration commandTimeout, String keyPrefix) {
        this.port = port;
        this.scripts = new ScriptRunner(port, commandTimeout);
        this.batches = new BatchAnswers(scripts);
        this.keys = new RecordKeys(keyPrefix);
        this.calls = new ScriptCalls(keys);
    }

    /**
     * A store on its own client for {@code uri}: {@code redis://host:port/db}, {@code rediss://} for TLS,
     * {@code redis://user:password@host} for ACL users. Nothing is connected until first use.
     *
     * @throws io.dedup.DedupConfigurationException if the URI is malformed
     */
    public static RedisDedupStore create(String uri) {
        return builder(uri).build();
    }

    /**
     * A store on the application's client, which must have been created with a default URI. The client's options
     * (timeouts, reconnection) are the application's; closing the store leaves the client open.
     */
    public static RedisDedupStore create(RedisClient client) {
        return builder(client).build();
    }

    /** A store on the application's Redis Cluster client, which closing the store leaves open. */
    public static RedisDedupStore create(RedisClusterClient client) {
        return builder(client).build();
    }

    /** Configures a store on its own client for {@code uri} (a comma-separated list of seeds for a cluster). */
    public static RedisDedupStoreBuilder builder(String uri) {
        return new RedisDedupStoreBuilder(Objects.requireNonNull(uri, "uri"), null, null);
    }

    /** Configures a store on the application's client; closing the store leaves the client open. */
    public static RedisDedupStoreBuilder builder(RedisClient client) {
        return new RedisDedupStoreBuilder(null, Objects.requireNonNull(client, "client"), null);
    }

    /** Configures a store on the application's cluster client; closing the store leaves the client open. */
    public static RedisDedupStoreBuilder builder(RedisClusterClient client) {
        return new RedisDedupStoreBuilder(null, null, Objects.requireNonNull(client, "client"));
    }

    @Override
    public ClaimResult claim(ClaimRequest request) {
        Objects.requireNonNull(request, "request");
        DedupKey key = request.key();
        // The batch script with one key: one script per operation keeps the Lua code in one place.
        ScriptCall call = calls.claims(List.of(request), 1).get(0);
        List<Object> reply = Replies.perKey(key, scripts.run(call), Replies.CLAIM_HEADER, 1);
        return Replies.claim(key, reply, reply.get(Replies.CLAIM_HEADER));
    }

    @Override
    public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
        requireElements(requests, "requests");
        return batches.answerAll(
                calls.claims(requests, keysPerCall()), Replies.CLAIM_HEADER, Replies::claim, ClaimResult.Failed::new);
    }

    @Override
    public WriteResult complete(Completion completion) {
        Objects.requireNonNull(completion, "completion");
        DedupKey key = completion.key();
        ScriptCall call = calls.completions(List.of(completion), 1).get(0);
        return Replies.write(key, Replies.single(key, scripts.run(call)));
    }

    @Override
    public List<WriteResult> completeAll(List<Completion> completions) {
        requireElements(completions, "completions");
        return batches.answerAll(
                calls.completions(completions, keysPerCall()),
                0, // the completion script answers no header, only one element per key
                (key, reply, answer) -> Replies.write(key, answer),
                (key, e) -> new WriteResult.Failed(e));
    }

    /** Extends the lease from Redis' now; the record keeps the time it had after its old lease end. */
    @Override
    public WriteResult renew(DedupKey key, long token, Duration lease) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(lease, "lease");
        return writeHeld(Script.RENEW, key, token, lease);
    }

    /** Releases the key; the record keeps its token, so the next claim's token is higher. */
    @Override
    public WriteResult release(DedupKey key, long token, Duration retention) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(retention, "retention");
        return writeHeld(Script.RELEASE, key, token, retention);
    }

    @Override
    public Optional<StoredRecord> find(DedupKey key) {
        Objects.requireNonNull(key, "key");
        return Replies.find(key, scripts.run(calls.find(key)));
    }

    /**
     * The Redis key under which {@code key}'s record is stored, for operators and tests; computed, so it needs no
     * connection.
     */
    public String redisKey(DedupKey key) {
        return keys.of(Objects.requireNonNull(key, "key"));
    }

    /** The server or cluster (without credentials) and the key prefix, for logs and errors. */
    @Override
    public String describe() {
        return port.describe() + ", key prefix " + keys.prefix();
    }

    /** Closes the store's connections, and the client if the store created it from a URI. Idempotent. */
    @Override
    public void close() {
        port.close();
    }

    /** @throws NullPointerException naming {@code name} if the list or one of its elements is null */
    private static void requireElements(List<?> list, String name) {
        Objects.requireNonNull(list, name);
        for (Object element : list) {
            Objects.requireNonNull(element, name + " element");
        }
    }

    /** On a standalone server up to {@value #KEYS_PER_SCRIPT} records per script call; on a cluster one. */
    private int keysPerCall() {
        return port.oneServer() ? KEYS_PER_SCRIPT : 1;
    }

    /** Renews or releases the record held under {@code token}: applied, or fenced when another token holds it. */
    private WriteResult writeHeld(Script script, DedupKey key, long token, Duration duration) {
        return Replies.write(key, Replies.single(key, scripts.run(calls.heldKey(script, key, token, duration))));
    }
}
