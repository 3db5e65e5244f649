package io.dedup.bench;

import io.dedup.DedupKey;
import io.dedup.OutcomeStatus;
import io.dedup.redis.RedisDedupStore;
import io.dedup.spi.ClaimRequest;
import io.dedup.spi.ClaimResult;
import io.dedup.spi.Completion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Bytes Redis spends per COMPLETED key without a stored result: INFO used_memory before and after writing 100,000
 * keys (claimed and completed in batches of 500), and MEMORY USAGE of a sample of them. Keys look like
 * {@code dedup:orders-1a2b3c4:order-000042} (the default prefix, a 14-character namespace, 12-character ids). The keys are deleted at
 * the end. Run: {@code java -cp dedup-benchmarks/target/benchmarks.jar io.dedup.bench.RedisBytesPerKey [count]}.
 */
public final class RedisBytesPerKey {
    private RedisBytesPerKey() {}

    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        // The default key prefix, and a namespace unique to this run so that its keys can be deleted afterwards.
        String namespace =
                "orders-" + RedisBench.PREFIX.substring("dedup-bench-".length(), "dedup-bench-".length() + 7);
        Duration hour = Duration.ofHours(1);
        try (RedisDedupStore store = RedisDedupStore.create(RedisBench.uri())) {
            long before = usedMemory();
            for (int start = 0; start < count; start += 500) {
                List<ClaimRequest> requests = new ArrayList<>();
                for (int i = start; i < Math.min(count, start + 500); i++) {
                    requests.add(ClaimRequest.of(DedupKey.of(namespace, String.format("order-%06d", i)), hour, hour));
                }
                List<Completion> completions = new ArrayList<>();
                for (ClaimResult result : store.claimAll(requests)) {
                    var claim = ((ClaimResult.Acquired) result).claim();
                    completions.add(
                            new Completion(claim.key(), claim.token(), OutcomeStatus.SUCCEEDED, new byte[0], hour));
                }
                store.completeAll(completions);
            }
            long after = usedMemory();
            long sampled = 0;
            int samples = 1000;
            for (int i = 0; i < samples; i++) {
                String key = store.redisKey(DedupKey.of(namespace, String.format("order-%06d", i * (count / samples))));
                sampled += RedisBench.withRedis(redis -> redis.memoryUsage(key));
            }
            String example = store.redisKey(DedupKey.of(namespace, "order-000042"));
            System.out.printf(
                    "keys written                     %,d (e.g. %s, key name %d bytes here)%n",
                    count, example, example.length());
            System.out.printf("INFO used_memory delta per key   %.1f bytes%n", (after - before) / (double) count);
            System.out.printf("MEMORY USAGE mean of %d keys   %.1f bytes%n", samples, sampled / (double) samples);
            System.out.printf(
                    "deleted                          %,d keys%n",
                    RedisBench.deleteAll(RedisDedupStore.DEFAULT_KEY_PREFIX + namespace + ":"));
        }
    }

    private static long usedMemory() {
        String info = RedisBench.withRedis(redis -> redis.info("memory"));
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).trim());
            }
        }
        throw new IllegalStateException("INFO memory has no used_memory line");
    }
}
