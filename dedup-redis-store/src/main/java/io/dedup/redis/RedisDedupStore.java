package io.dedup.redis;

import io.dedup.DedupKey;
import io.dedup.DedupStoreCorruptionException;
import io.dedup.DedupStoreException;
import io.dedup.DedupStoreUnavailableException;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import io.dedup.spi.DedupStore;
import io.dedup.spi.StoredRecord;
import io.dedup.spi.WriteResult;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * A processed-keys store in Redis, standalone or Redis Cluster, on Lettuce. Each key is one Redis hash that expires
 * by itself; each operation is one Lua script on that hash, judged by Redis' clock, with the expiry set in the same
 * script. {@link #claimAll} and {@link #completeAll} send a batch in one round trip (on a cluster, one per master).
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
    /** Leases and retentions longer than this are cut to it (Redis rejects expiry times far in the future). */
    static final Duration LONGEST_DURATION = Duration.ofDays(365L * 100);
    /** The most records one script call touches on a standalone server, so that no call holds Redis for long. */
    static final int KEYS_PER_SCRIPT = 500;

    private final RedisPort port;
    private final ScriptRunner scripts;
    private final RecordKeys keys;

    RedisDedupStore(RedisPort port, Duration commandTimeout, String keyPrefix) {
        this.port = port;
        this.scripts = new ScriptRunner(port, commandTimeout);
        this.keys = new RecordKeys(keyPrefix);
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

    /** A store on the application's client, which must have been created with a default URI. */
    public static RedisDedupStore create(RedisClient client) {
        return builder(client).build();
    }

    /** A store on the application's Redis Cluster client. */
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
        List<Object> reply = scripts.run(ScriptCall.of(Script.CLAIM, key, keys.of(key), claimArgs(request)));
        return Replies.claim(key, Replies.perKey(key, reply, 1).get(0));
    }

    @Override
    public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        List<DedupKey> batchKeys = new ArrayList<>(requests.size());
        List<byte[][]> args = new ArrayList<>(requests.size());
        for (ClaimRequest request : requests) {
            batchKeys.add(Objects.requireNonNull(request, "requests element").key());
            args.add(claimArgs(request));
        }
        return answerAll(Script.CLAIM, batchKeys, args, Replies::claim, ClaimResult.Failed::new);
    }

    @Override
    public WriteResult complete(Completion completion) {
        Objects.requireNonNull(completion, "completion");
        DedupKey key = completion.key();
        List<Object> reply = scripts.run(ScriptCall.of(Script.COMPLETE, key, keys.of(key), completeArgs(completion)));
        return Replies.write(key, Replies.perKey(key, reply, 1).get(0));
    }

    @Override
    public List<WriteResult> completeAll(List<Completion> completions) {
        Objects.requireNonNull(completions, "completions");
        List<DedupKey> batchKeys = new ArrayList<>(completions.size());
        List<byte[][]> args = new ArrayList<>(completions.size());
        for (Completion completion : completions) {
            batchKeys.add(
                    Objects.requireNonNull(completion, "completions element").key());
            args.add(completeArgs(completion));
        }
        return answerAll(Script.COMPLETE, batchKeys, args, Replies::write, (key, e) -> new WriteResult.Failed(e));
    }

    @Override
    public WriteResult renew(DedupKey key, long token, Duration lease) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(lease, "lease");
        return Replies.write(
                key, scripts.run(ScriptCall.of(Script.RENEW, key, keys.of(key), ascii(token), millis(lease))));
    }

    @Override
    public WriteResult release(DedupKey key, long token, Duration retention) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(retention, "retention");
        return Replies.write(
                key, scripts.run(ScriptCall.of(Script.RELEASE, key, keys.of(key), ascii(token), millis(retention))));
    }

    @Override
    public Optional<StoredRecord> find(DedupKey key) {
        Objects.requireNonNull(key, "key");
        return Replies.find(key, scripts.run(ScriptCall.of(Script.FIND, key, keys.of(key))));
    }

    /** The Redis key under which {@code key}'s record is stored, for operators and tests. */
    public String redisKey(DedupKey key) {
        return keys.of(Objects.requireNonNull(key, "key"));
    }

    @Override
    public String describe() {
        return port.describe() + ", key prefix " + keys.prefix();
    }

    @Override
    public void close() {
        port.close();
    }

    private static byte[][] claimArgs(ClaimRequest request) {
        String fingerprint = request.fingerprint().orElse(null);
        return new byte[][] {
            millis(request.lease()),
            millis(request.retention()),
            fingerprint == null ? new byte[] {'0'} : new byte[] {'1'},
            fingerprint == null ? new byte[0] : fingerprint.getBytes(StandardCharsets.UTF_8)
        };
    }

    private static byte[][] completeArgs(Completion completion) {
        return new byte[][] {
            ascii(completion.token()),
            Replies.encode(completion.status()),
            completion.body(),
            millis(completion.retention())
        };
    }

    /**
     * Runs {@code script} for every key of a batch, in order, in one round trip: on a standalone server as few
     * script calls of up to {@value #KEYS_PER_SCRIPT} records each, on a cluster one call per record, routed to its
     * master. One answer per key; a key Redis could not answer, or whose record is unreadable, is answered with
     * {@code failed}. When Redis answered none of them, the first cause is thrown instead.
     */
    private <T> List<T> answerAll(
            Script script,
            List<DedupKey> batchKeys,
            List<byte[][]> args,
            BiFunction<DedupKey, List<Object>, T> read,
            BiFunction<DedupKey, DedupStoreException, T> failed) {
        int n = batchKeys.size();
        if (n == 0) {
            return List.of();
        }
        int perCall = port.oneServer() ? KEYS_PER_SCRIPT : 1;
        List<ScriptCall> calls = new ArrayList<>((n + perCall - 1) / perCall);
        for (int start = 0; start < n; start += perCall) {
            int end = Math.min(n, start + perCall);
            String[] redisKeys = new String[end - start];
            byte[][] callArgs = new byte[(end - start) * args.get(start).length][];
            int a = 0;
            for (int i = start; i < end; i++) {
                redisKeys[i - start] = keys.of(batchKeys.get(i));
                for (byte[] arg : args.get(i)) {
                    callArgs[a++] = arg;
                }
            }
            calls.add(new ScriptCall(script, batchKeys.subList(start, end), redisKeys, callArgs));
        }
        List<ScriptRunner.Reply> replies = scripts.runAll(calls);
        List<T> answers = new ArrayList<>(n);
        DedupStoreUnavailableException firstUnavailable = null;
        int unavailable = 0;
        for (int c = 0; c < calls.size(); c++) {
            ScriptCall call = calls.get(c);
            ScriptRunner.Reply reply = replies.get(c);
            List<List<Object>> perKey = null;
            DedupStoreException callError = reply.error();
            if (callError == null) {
                try {
                    perKey = Replies.perKey(
                            call.firstKey(), reply.value(), call.keys().size());
                } catch (DedupStoreUnavailableException e) {
                    callError = e;
                }
            }
            for (int j = 0; j < call.keys().size(); j++) {
                DedupKey key = call.keys().get(j);
                DedupStoreException error = callError;
                if (error == null) {
                    try {
                        answers.add(read.apply(key, perKey.get(j)));
                        continue;
                    } catch (DedupStoreCorruptionException | DedupStoreUnavailableException e) {
                        error = e;
                    }
                }
                if (error instanceof DedupStoreUnavailableException u) {
                    unavailable++;
                    firstUnavailable = firstUnavailable == null ? u : firstUnavailable;
                }
                answers.add(failed.apply(key, error));
            }
        }
        if (unavailable == n) {
            throw firstUnavailable;
        }
        return answers;
    }

    private static byte[] ascii(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    /** Whole milliseconds, at least one, at most {@link #LONGEST_DURATION}. */
    static byte[] millis(Duration duration) {
        long millis = duration.compareTo(LONGEST_DURATION) > 0
                ? LONGEST_DURATION.toMillis()
                : Math.max(1, duration.toMillis());
        return ascii(millis);
    }
}
