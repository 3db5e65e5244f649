package io.dedup.bench;

import io.dedup.DedupKey;
import io.dedup.redis.RedisDedupStore;

/**
 * Bytes Redis spends per COMPLETED key without a stored result: INFO used_memory before and after writing 100,000
 * keys (claimed and completed in batches of 500), and MEMORY USAGE of a sample of them. Keys look like
 * {@code dedup:orders-1a2b3c4:order-000042} (the default prefix, a 14-character namespace, 12-character ids). The keys are deleted at
 * the end. Run: {@code java -cp dedup-benchmarks/target/benchmarks.jar io.dedup.bench.RedisBytesPerKey [count]}.
 *
 * <p>Not thread-safe: a command-line measurement, run once per JVM.
 */
public final class RedisBytesPerKey {
    private RedisBytesPerKey() {}

    /**
     * Writes {@code count} keys (default 100,000), prints both measurements and deletes the keys.
     *
     * @throws io.dedup.DedupStoreUnavailableException if Redis cannot be reached
     */
    public static void main(String[] args) {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        // The default key prefix, and a namespace unique to this run so that its keys can be deleted afterwards.
        String namespace =
                "orders-" + RedisBench.PREFIX.substring("dedup-bench-".length(), "dedup-bench-".length() + 7);
        try (RedisDedupStore store = RedisDedupStore.create(RedisBench.uri())) {
            // the same key shape as production: the default prefix, a namespace like a group id, order-like ids
            long before = usedMemory();
            StoreBytesPerKey.write(store, namespace, count);
            long after = usedMemory();
            long sampled = 0;
            // a thousand evenly spread keys are enough for a stable mean and quick on a shared Redis
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

    /**
     * Redis's own count of allocated bytes. The delta over many keys includes the dictionary's growth, which MEMORY
     * USAGE of single keys leaves out; the two figures bound the true cost from both sides.
     */
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
