package io.dedup.bench;

import io.dedup.DedupKey;
import io.dedup.redis.RedisDedupStore;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Claims per second against the local Redis ({@code DEDUP_REDIS_URI}, default 127.0.0.1:6379): one claim per round
 * trip against {@code claimAll} batches of 100 and 500 (one round trip each), new keys every time, one thread. The
 * scores are claims per second for every method, so their ratio is the batching gain. Records expire two seconds
 * after they are written, so a run leaves little behind; what is left is deleted at the end.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
@State(Scope.Thread)
public class RedisClaimBenchmark {
    /**
     * Lease and retention of every claim: records expire two seconds after they are written, so a long run does not
     * fill Redis and the figure stays the cost of a claim on a store of steady size.
     */
    private static final Duration SHORT = Duration.ofSeconds(1);

    /** The store under test, with a command timeout long enough that a 500-key script never times out under load. */
    private RedisDedupStore store;
    /** This trial's namespace; with the run's key prefix it keeps every key new. */
    private String namespace;

    private long next;

    /**
     * Builds the store and warms both of its connections and its scripts, so the first measured call is not a connect.
     */
    @Setup(Level.Trial)
    public void setUp() {
        store = RedisDedupStore.builder(RedisBench.uri())
                .keyPrefix(RedisBench.PREFIX)
                .commandTimeout(Duration.ofSeconds(10))
                .build();
        namespace = "claims-" + UUID.randomUUID().toString().substring(0, 8);
        // Connect both connections and load the scripts before measuring.
        store.claim(request());
        store.claimAll(List.of(request()));
    }

    /** Closes the store and deletes whatever the short expiry has not removed yet. */
    @TearDown(Level.Trial)
    public void tearDown() {
        store.close();
        RedisBench.deleteAll(RedisBench.PREFIX);
    }

    /** A claim of a new key. */
    private ClaimRequest request() {
        return ClaimRequest.of(DedupKey.of(namespace, "k" + next++), SHORT, SHORT);
    }

    /** {@code size} claims of new keys, built inside the timed part as a runner would build them per poll. */
    private List<ClaimRequest> batch(int size) {
        List<ClaimRequest> requests = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            requests.add(request());
        }
        return requests;
    }

    /** One claim, one round trip: the per-message cost the batched runner avoids. */
    @Benchmark
    public ClaimResult oneAtATime() {
        return store.claim(request());
    }

    /** 100 claims in one script call. */
    @Benchmark
    @OperationsPerInvocation(100)
    public List<ClaimResult> batchOf100() {
        return store.claimAll(batch(100));
    }

    /** 500 claims (a full Kafka poll) in one script call. */
    @Benchmark
    @OperationsPerInvocation(500)
    public List<ClaimResult> batchOf500() {
        return store.claimAll(batch(500));
    }
}
