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
    /** Leases and retentions longer than this are cut to it (Redis rejects expiry times far in the future). */
    static final Duration LONGEST_DURATION = Duration.ofDays(365L * 100);
    /** The most records one script call touches on a standalone server, so that no call holds Redis for long. */
    static final int KEYS_PER_SCRIPT = 500;

    private static final byte[] FINGERPRINTS = {'1'};
    private static final byte[] NO_FINGERPRINTS = {'0'};
    private static final byte[] NO_FINGERPRINT = {};

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
        ScriptCall call = claimCalls(List.of(request), 1).get(0);
        List<Object> reply = Replies.perKey(key, scripts.run(call), Replies.CLAIM_HEADER, 1);
        return Replies.claim(key, reply, reply.get(Replies.CLAIM_HEADER));
    }

    @Override
    public List<ClaimResult> claimAll(List<ClaimRequest> requests) {
        Objects.requireNonNull(requests, "requests");
        for (ClaimRequest request : requests) {
            Objects.requireNonNull(request, "requests element");
        }
        return answerAll(
                claimCalls(requests, keysPerCall()), Replies.CLAIM_HEADER, Replies::claim, ClaimResult.Failed::new);
    }

    @Override
    public WriteResult complete(Completion completion) {
        Objects.requireNonNull(completion, "completion");
        DedupKey key = completion.key();
        ScriptCall call = completeCalls(List.of(completion), 1).get(0);
        return Replies.write(key, Replies.single(key, scripts.run(call)));
    }

    @Override
    public List<WriteResult> completeAll(List<Completion> completions) {
        Objects.requireNonNull(completions, "completions");
        for (Completion completion : completions) {
            Objects.requireNonNull(completion, "completions element");
        }
        return answerAll(
                completeCalls(completions, keysPerCall()),
                0,
                (key, reply, answer) -> Replies.write(key, answer),
                (key, e) -> new WriteResult.Failed(e));
    }

    @Override
    public WriteResult renew(DedupKey key, long token, Duration lease) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(lease, "lease");
        List<Object> reply =
                scripts.run(ScriptCall.of(Script.RENEW, key, keys.bytes(key), ascii(token), millis(lease)));
        return Replies.write(key, Replies.single(key, reply));
    }

    @Override
    public WriteResult release(DedupKey key, long token, Duration retention) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(retention, "retention");
        List<Object> reply =
                scripts.run(ScriptCall.of(Script.RELEASE, key, keys.bytes(key), ascii(token), millis(retention)));
        return Replies.write(key, Replies.single(key, reply));
    }

    @Override
    public Optional<StoredRecord> find(DedupKey key) {
        Objects.requireNonNull(key, "key");
        return Replies.find(key, scripts.run(ScriptCall.of(Script.FIND, key, keys.bytes(key))));
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

    /** On a standalone server up to {@value #KEYS_PER_SCRIPT} records per script call; on a cluster one. */
    private int keysPerCall() {
        return port.oneServer() ? KEYS_PER_SCRIPT : 1;
    }

    /**
     * The script calls for a batch of claims: runs of up to {@code perCall} requests with the same lease and
     * retention, which the call passes once. Fingerprints go one per key, and only in a call that has one.
     */
    private List<ScriptCall> claimCalls(List<ClaimRequest> requests, int perCall) {
        List<ScriptCall> calls = new ArrayList<>();
        int n = requests.size();
        for (int start = 0, end; start < n; start = end) {
            ClaimRequest first = requests.get(start);
            boolean fingerprints = first.fingerprint().isPresent();
            end = start + 1;
            while (end < n
                    && end - start < perCall
                    && requests.get(end).lease().equals(first.lease())
                    && requests.get(end).retention().equals(first.retention())) {
                fingerprints |= requests.get(end).fingerprint().isPresent();
                end++;
            }
            int count = end - start;
            byte[][] args = new byte[3 + (fingerprints ? count : 0)][];
            args[0] = millis(first.lease());
            args[1] = millis(first.retention());
            args[2] = fingerprints ? FINGERPRINTS : NO_FINGERPRINTS;
            byte[][] redisKeys = new byte[count][];
            DedupKey[] callKeys = new DedupKey[count];
            for (int i = 0; i < count; i++) {
                ClaimRequest request = requests.get(start + i);
                callKeys[i] = request.key();
                redisKeys[i] = keys.bytes(request.key());
                if (fingerprints) {
                    args[3 + i] = request.fingerprint()
                            .map(f -> ("=" + f).getBytes(StandardCharsets.UTF_8))
                            .orElse(NO_FINGERPRINT);
                }
            }
            calls.add(new ScriptCall(Script.CLAIM, List.of(callKeys), redisKeys, args));
        }
        return calls;
    }

    /** The script calls for a batch of completions: runs of up to {@code perCall} with the same retention. */
    private List<ScriptCall> completeCalls(List<Completion> completions, int perCall) {
        List<ScriptCall> calls = new ArrayList<>();
        int n = completions.size();
        for (int start = 0, end; start < n; start = end) {
            Completion first = completions.get(start);
            end = start + 1;
            while (end < n
                    && end - start < perCall
                    && completions.get(end).retention().equals(first.retention())) {
                end++;
            }
            int count = end - start;
            byte[][] args = new byte[1 + count][];
            args[0] = millis(first.retention());
            byte[][] redisKeys = new byte[count][];
            DedupKey[] callKeys = new DedupKey[count];
            for (int i = 0; i < count; i++) {
                Completion completion = completions.get(start + i);
                callKeys[i] = completion.key();
                redisKeys[i] = keys.bytes(completion.key());
                args[1 + i] = completionArg(completion);
            }
            calls.add(new ScriptCall(Script.COMPLETE, List.of(callKeys), redisKeys, args));
        }
        return calls;
    }

    /** One completion as the script reads it: the final state, the token, ':' and the body, in one argument. */
    static byte[] completionArg(Completion completion) {
        long token = completion.token();
        byte[] body = completion.body();
        int digits = token < 0 ? Long.toString(token).length() : decimalDigits(token);
        byte[] arg = new byte[1 + digits + 1 + body.length];
        arg[0] = Replies.encode(completion.status());
        if (token < 0) {
            byte[] text = Long.toString(token).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(text, 0, arg, 1, digits);
        } else {
            long rest = token;
            for (int i = digits; i >= 1; i--) {
                arg[i] = (byte) ('0' + rest % 10);
                rest /= 10;
            }
        }
        arg[1 + digits] = ':';
        System.arraycopy(body, 0, arg, 2 + digits, body.length);
        return arg;
    }

    private static int decimalDigits(long value) {
        int digits = 1;
        for (long rest = value / 10; rest > 0; rest /= 10) {
            digits++;
        }
        return digits;
    }

    /** Reads one key's answer out of a script's whole reply. */
    @FunctionalInterface
    private interface AnswerReader<T> {
        T read(DedupKey key, List<Object> reply, Object answer);
    }

    /**
     * Runs a batch's script calls in one round trip (on a cluster, one per master) and answers per key, in order:
     * a key Redis could not answer, or whose record is unreadable, is answered with {@code failed}. When Redis
     * answered none of them, the first cause is thrown instead.
     */
    private <T> List<T> answerAll(
            List<ScriptCall> calls,
            int header,
            AnswerReader<T> read,
            BiFunction<DedupKey, DedupStoreException, T> failed) {
        if (calls.isEmpty()) {
            return List.of();
        }
        List<ScriptRunner.Reply> replies = scripts.runAll(calls);
        List<T> answers = new ArrayList<>();
        DedupStoreUnavailableException firstUnavailable = null;
        int unavailable = 0;
        for (int c = 0; c < calls.size(); c++) {
            ScriptCall call = calls.get(c);
            ScriptRunner.Reply reply = replies.get(c);
            List<Object> answered = null;
            DedupStoreException callError = reply.error();
            if (callError == null) {
                try {
                    answered = Replies.perKey(
                            call.firstKey(), reply.value(), header, call.keys().size());
                } catch (DedupStoreUnavailableException e) {
                    callError = e;
                }
            }
            for (int j = 0; j < call.keys().size(); j++) {
                DedupKey key = call.keys().get(j);
                DedupStoreException error = callError;
                if (error == null) {
                    try {
                        answers.add(read.read(key, answered, answered.get(header + j)));
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
        if (unavailable == answers.size()) {
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
