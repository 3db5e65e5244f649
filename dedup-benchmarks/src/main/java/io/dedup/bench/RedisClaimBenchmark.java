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
    private static final Duration SHORT = Duration.ofSeconds(1);

    private RedisDedupStore store;
    private String namespace;
    private long next;

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

    @TearDown(Level.Trial)
    public void tearDown() {
        store.close();
        RedisBench.deleteAll(RedisBench.PREFIX);
    }

    private ClaimRequest request() {
        return ClaimRequest.of(DedupKey.of(namespace, "k" + next++), SHORT, SHORT);
    }

    private List<ClaimRequest> batch(int size) {
        List<ClaimRequest> requests = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            requests.add(request());
        }
        return requests;
    }

    @Benchmark
    public ClaimResult oneAtATime() {
        return store.claim(request());
    }

    @Benchmark
    @OperationsPerInvocation(100)
    public List<ClaimResult> batchOf100() {
        return store.claimAll(batch(100));
    }

    @Benchmark
    @OperationsPerInvocation(500)
    public List<ClaimResult> batchOf500() {
        return store.claimAll(batch(500));
    }
}
